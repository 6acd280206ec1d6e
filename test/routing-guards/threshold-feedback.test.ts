import { Catalog } from '../../shared/core/catalog/catalog';
import { startBatchHarness, type BatchHarness } from '../batch/harness';

/** The model "auto" classify jobs are routed to at the small tier. */
const SMALL = Catalog.load().forTier('small', Catalog.load().defaultAuto.provider)[0].id;

/**
 * Production feedback end to end: shadows (every small/mid routed job re-run
 * on the frontier here) that disagree raise the tenant's thresholds for that
 * task — the next such job goes to a larger tier, the change is logged with
 * its evidence and shown by GET /v1/routing/quality — and agreement at the
 * raised tier relaxes them again.
 */
let h: BatchHarness;
/** The parts of the bodies these tests read. */
interface Job {
  route: { tier: string; model: string; reason: string };
}
interface Change {
  task: string;
  from: number;
  to: number;
}
interface Report {
  feedback: { min_agreement: number; min_shadows: number; thresholds: Record<string, { raise: number }>; changes: Change[] };
  by_task: Record<string, { shadowed: number; agreement: number | null } | undefined>;
}
const body = <T>(res: Response): Promise<T> => res.json() as Promise<T>;
beforeAll(async () => {
  h = await startBatchHarness('guards-feedback', {
    env: {
      PARSIMONY_SHADOW_SHARE: '1',
      PARSIMONY_SHADOW_CHECK_MS: '150',
      PARSIMONY_CACHE: 'off',
      PARSIMONY_ROUTER_FEEDBACK_MIN_SHADOWS: '3',
      PARSIMONY_ROUTER_MIN_AGREEMENT: '0.95',
      PARSIMONY_ROUTER_ENCODER: 'off',
    },
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
});
afterEach(() => h.sim.faults.clear());

async function classify(text: string): Promise<Job> {
  const res = await h.http('/v1/jobs', {
    method: 'POST',
    json: { latency: 'sync', task: 'classify', request: { model: 'auto', messages: [{ role: 'user', content: `Is this review positive or negative? "${text}"` }] } },
  });
  expect(res.status).toBe(200);
  return body<Job>(res);
}

async function quality(): Promise<Report> {
  const res = await h.http('/v1/routing/quality?recent=50');
  expect(res.status).toBe(200);
  return body<Report>(res);
}

/** Polls GET /v1/routing/quality until `done` holds. */
async function qualityUntil(done: (report: Report) => boolean, timeoutMs = 30_000): Promise<Report> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const report = await quality();
    if (done(report)) return report;
    if (Date.now() > until) throw new Error(`quality report never got there: ${JSON.stringify(report.feedback)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

test('disagreeing shadows raise the task thresholds; the next job goes up a tier; the change and its evidence are reported and logged', async () => {
  // The small model answers off the point three times; the frontier shadow answers as usual.
  h.sim.faults.add({ match: { model: SMALL }, content: 'Totally unrelated words about gardening tomatoes.', times: 3 });
  const jobs = [];
  for (const text of ['Great battery.', 'Broke on day two.', 'Does what it says.']) jobs.push(await classify(text));
  expect(jobs.map((j) => [j.route.tier, j.route.model])).toEqual([
    ['small', SMALL],
    ['small', SMALL],
    ['small', SMALL],
  ]);

  const report = await qualityUntil((r) => r.feedback.changes.length >= 1);
  expect(report.feedback).toMatchObject({ min_agreement: 0.95, min_shadows: 3 });
  expect(report.feedback.changes[0]).toMatchObject({ task: 'classify', from: 0, to: 0.34, shadows: 3, agreed: 0, agreement: 0, min_agreement: 0.95 });
  expect(report.feedback.thresholds.classify).toMatchObject({ raise: 0.34, window_shadows: 0 });
  expect(report.by_task.classify).toMatchObject({ shadowed: 3, agreement: 0 });
  const logged = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'routing thresholds raised for task classify');
  expect(logged).toMatchObject({ tenant: 'acme', task: 'classify', from: 0, to: 0.34, shadows: 3, agreed: 0, direction: 'raised' });

  // The same kind of job now starts at mid: fewer prompts to the small tier.
  const after = await classify('Fine, I guess.');
  expect(after.route.tier).toBe('mid');
  expect(after.route.reason).toMatch(/raised to mid: shadow feedback \(raise 0\.34 for task classify/);
  // Another task of the tenant is not affected.
  const extract = await h.http('/v1/jobs', {
    method: 'POST',
    json: { latency: 'sync', task: 'extract', request: { model: 'auto', messages: [{ role: 'user', content: 'Extract the date: "due 3 May"' }] } },
  });
  expect((await body<Job>(extract)).route.tier).toBe('small');
}, 90_000);

test('agreement at the raised tier relaxes the thresholds slowly', async () => {
  // The raise of the previous test holds: classify starts at mid, whose answers agree with the frontier.
  await qualityUntil((r) => (r.by_task.classify?.shadowed ?? 0) >= 4);
  const before = (await quality()).feedback.changes.length;
  for (const text of ['Love it.', 'Meh.']) expect((await classify(text)).route.tier).toBe('mid');
  const report = await qualityUntil((r) => r.feedback.changes.length > before);
  // The window that judged it: the mid job of the previous test and these two, all agreeing.
  expect(report.feedback.changes[0]).toMatchObject({ task: 'classify', from: 0.34, shadows: 3, agreed: 3, agreement: 1 });
  expect(report.feedback.changes[0].to).toBeCloseTo(0.24, 3);
  expect(report.feedback.thresholds.classify.raise).toBeCloseTo(0.24, 3);
  expect(h.logs.some((l) => l.includes('routing thresholds relaxed for task classify'))).toBe(true);
  // Below the mid floor again: small, with a larger frontier share still named in the reason.
  const next = await classify('Works well.');
  expect(next.route.tier).toBe('small');
  expect(next.route.reason).toMatch(/raised by shadow feedback 0\.24 for task classify/);
}, 90_000);
