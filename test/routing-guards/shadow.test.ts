import { JobStore } from '../../shared/core/jobs/job-store';
import type { QualityReport } from '../../shared/levers/routing/guards/quality-store';
import { startBatchHarness, type BatchHarness } from '../batch/harness';

/**
 * Shadow evaluation end to end: every small/mid routed job (share 1 here) is
 * re-run on the frontier through the batch API, compared with the routed
 * answer once the shadow finishes, and the agreement is reported by
 * GET /v1/routing/quality — while the shadow's spend stays out of the
 * tenant's own aggregates.
 */
const GLOBEX_KEY = 'k-shadow-globex-1';
let h: BatchHarness;
/** A response body, typed as the caller expects it. */
const body = <T>(res: Response): Promise<T> => res.json() as Promise<T>;

/** The parts of a job the tests read. */
interface SyncJob {
  id: string;
  route: { tier: string; model: string };
  response: { choices: { message: { content: string | null } }[] };
}

/** One entry of `recent` in GET /v1/routing/quality. */
interface ShadowEntry {
  job_id: string;
  status: string;
  shadow_job_id: string;
  shadow_cost_usd: number;
  similarity: number;
}

type QualityBody = QualityReport & { recent: ShadowEntry[] };
let store: JobStore;
beforeAll(async () => {
  h = await startBatchHarness('guards-shadow', {
    env: { PARSIMONY_SHADOW_SHARE: '1', PARSIMONY_SHADOW_CHECK_MS: '150', PARSIMONY_CACHE: 'off', PARSIMONY_API_KEYS: 'acme:k-batch-acme,globex:k-shadow-globex-1' },
  });
  store = new JobStore(h.redis, { prefix: h.prefix, retentionSeconds: 3600 });
}, 120_000);
afterAll(() => h.close());
afterEach(() => h.sim.faults.clear());

const today = () => new Date().toISOString().slice(0, 10);

async function sync(job: Record<string, unknown>) {
  const res = await h.http('/v1/jobs', { method: 'POST', json: { latency: 'sync', ...job } });
  expect(res.status).toBe(200);
  return body<SyncJob>(res);
}

async function quality(query = '') {
  const res = await h.http(`/v1/routing/quality${query}`);
  expect(res.status).toBe(200);
  return body<QualityBody>(res);
}

/** Polls GET /v1/routing/quality until the shadow of `jobId` has been compared. */
async function comparedShadowOf(jobId: string, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const report = await quality('?recent=50');
    const entry = report.recent.find((r) => r.job_id === jobId);
    if (entry && entry.status !== 'pending') return { report, entry };
    if (Date.now() > until) throw new Error(`shadow of ${jobId} not compared in time: ${JSON.stringify(report.recent)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a routed job is shadowed on the frontier through the batch API; agreement is recorded and reported', async () => {
  const job = await sync({ request: { model: 'auto', messages: [{ role: 'user', content: 'Is this review positive or negative? "Great battery."' }] }, task: 'classify' });
  expect(job.route.tier).toBe('small');
  const { report, entry } = await comparedShadowOf(job.id);

  expect(entry).toMatchObject({
    job_id: job.id,
    task: 'classify',
    tier: 'small',
    model: 'gpt-5.6-luna',
    shadow_model: 'gpt-5.6-sol',
    status: 'compared',
    // The simulator answers as a pure function of the prompt: the frontier agrees exactly.
    exact: true,
    agree: true,
    similarity: 1,
    shadow_delivered_by: 'batch',
    shadow_batch_path: 'batch',
  });
  expect(entry.shadow_cost_usd).toBeGreaterThan(0);
  expect(report).toMatchObject({ object: 'routing.quality', shadow_share: 1, shadow_model: 'gpt-5.6-sol', window: { days: 7, to: today() } });
  expect(report.by_task.classify).toMatchObject({ shadowed: 1, agreement: 1, exact: 1, json_equal: 0, mean_similarity: 1, failed: 0 });
  expect(report.by_tier.small).toMatchObject({ shadowed: 1, agreement: 1 });
  expect(report.overall.shadowed).toBe(1);

  // The shadow is a Parsimony job: frontier, latency batch, cache off, marked as the shadow of the original …
  const shadow = await store.load(entry.shadow_job_id);
  expect(shadow).toMatchObject({
    tenant: 'acme~shadow',
    status: 'completed',
    delivered_by: 'batch',
    options: { requested_model: 'gpt-5.6-sol', latency: 'batch', cache: { mode: 'off' }, metadata: { parsimony_shadow: { of: job.id, tenant: 'acme' } } },
    route: { model: 'gpt-5.6-sol', tier: 'frontier' },
  });
  expect((shadow!.annotations!.batch as { path: string }).path).toBe('batch');
  // … that the tenant cannot see, and whose spend is not the tenant's: its own pseudo-tenant aggregates hold it.
  expect((await h.http(`/v1/jobs/${entry.shadow_job_id}`)).status).toBe(404);
  const own = await h.redis.hgetall(`${h.prefix}:savings:acme:${today()}`);
  const shadows = await h.redis.hgetall(`${h.prefix}:savings:acme~shadow:${today()}`);
  expect(Number(own['all|requests'])).toBe(1);
  expect(Number(own['model:gpt-5.6-sol|requests'] ?? 0)).toBe(0);
  expect(Number(shadows['all|requests'])).toBe(1);
  expect(Number(shadows['all|batched'])).toBe(1);
  expect(Number(shadows['all|actual_usd'])).toBeCloseTo(entry.shadow_cost_usd, 8);
  // The shadow ran at the batch price, and was not itself shadowed.
  expect(shadow!.cost!.by_lever.batch).toBeGreaterThan(0);
  expect(await h.redis.llen(`${h.prefix}:routing:shadows:acme~shadow`)).toBe(0);

  // Another tenant sees only its own (empty) figures.
  const other = await body<QualityBody>(await fetch(`${h.url}/v1/routing/quality`, { headers: { authorization: `Bearer ${GLOBEX_KEY}` } }));
  expect(other.overall.shadowed).toBe(0);
  expect(other.recent).toEqual([]);
});

test('a routed answer that differs from the frontier is recorded as a disagreement', async () => {
  h.sim.faults.add({ match: { model: 'gpt-5.6-luna' }, content: 'Totally unrelated words about gardening tomatoes.' });
  const job = await sync({ request: { model: 'auto', messages: [{ role: 'user', content: 'Is this ticket urgent or not? "Server down since 9am."' }] }, task: 'classify' });
  expect(job.response.choices[0].message.content).toMatch(/gardening/);
  const { report, entry } = await comparedShadowOf(job.id);
  expect(entry).toMatchObject({ status: 'compared', exact: false, json_equal: false, agree: false });
  expect(entry.similarity).toBeLessThan(0.5);
  expect(report.by_task.classify.shadowed).toBe(2);
  expect(report.by_task.classify.agreement).toBe(0.5);
  expect(report.by_task.classify.exact).toBe(0.5);
  expect(report.overall.agreement).toBe(0.5);
});

test('frontier-routed and explicit-model jobs are not shadowed', async () => {
  const before = (await quality('?recent=50')).recent.length;
  const frontier = await sync({ request: { model: 'auto', messages: [{ role: 'user', content: 'Plan a migration of our billing system with risks.' }] }, task: 'plan', min_tier: 'frontier' });
  expect(frontier.route.tier).toBe('frontier');
  const explicit = await sync({ request: { model: 'gpt-5.6-luna', messages: [{ role: 'user', content: 'Tag: "refund please"' }] } });
  expect(explicit.route.model).toBe('gpt-5.6-luna');
  // A routed job that is shadowed, as a marker: once its shadow is listed, the two above would have been too.
  const marker = await sync({ request: { model: 'auto', messages: [{ role: 'user', content: 'Is "ok" positive or negative?' }] }, task: 'classify' });
  await comparedShadowOf(marker.id);
  const recent = (await quality('?recent=50')).recent;
  expect(recent.length).toBe(before + 1);
  expect(recent.map((r) => r.job_id)).not.toEqual(expect.arrayContaining([frontier.id]));
  expect(recent.map((r) => r.job_id)).not.toEqual(expect.arrayContaining([explicit.id]));
});

test('the query is validated', async () => {
  expect((await h.http('/v1/routing/quality?days=0')).status).toBe(400);
  expect((await h.http('/v1/routing/quality?bogus=1')).status).toBe(400);
  const oneDay = await quality('?days=1&recent=0');
  expect(oneDay.window).toEqual({ days: 1, from: today(), to: today() });
  expect(oneDay.recent).toEqual([]);
});
