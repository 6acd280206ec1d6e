import { QUEUES } from '../../shared/platform/queues/queue-catalog';
import { chatBody, startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';
import { find, parsePrometheus, total, type Sample } from './prom-text';

/** The parts of a finished job the metrics are checked against. */
interface MeteredJob {
  usage: { input_tokens: number; output_tokens: number };
  cost: { actual_usd: number; by_lever: Record<string, number> };
}

/** An error response body. */
interface ErrorBody {
  error: { type: string; message: string };
}

const METRICS_KEY = 'metrics-key-0123456789abcdef';
let p: TestParsimony;

beforeAll(async () => {
  p = await startTestParsimony('ops-metrics', { PARSIMONY_METRICS_KEY: METRICS_KEY });
}, 120_000);
afterAll(async () => {
  await p.close();
});

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(`${p.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_KEY}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  return { text, samples: parsePrometheus(text) };
}

test('/metrics needs PARSIMONY_METRICS_KEY when it is set', async () => {
  const bare = await fetch(`${p.url}/metrics`);
  expect(bare.status).toBe(401);
  expect(((await bare.json()) as ErrorBody).error.type).toBe('authentication_error');
  const tenantKey = await p.http('/metrics');
  expect(tenantKey.status).toBe(401);
  const wrong = await fetch(`${p.url}/metrics`, { headers: { authorization: 'Bearer not-the-metrics-key' } });
  expect(wrong.status).toBe(401);
  await scrape();
});

test('after traffic: HTTP latency by route pattern, stage latency per stage, jobs, tokens and USD by model and lever, queue depths', async () => {
  const client = p.openai();
  const nano = await client.chat.completions.create(chatBody('Classify: great phone', { model: 'gpt-4.1-nano' }) as never).withResponse();
  const big = await client.chat.completions.create(chatBody('Plan a migration', { model: 'gpt-4.1' }) as never).withResponse();
  const queued = await (await p.http('/v1/jobs', { method: 'POST', json: { request: chatBody('Summarise this.', { model: 'gpt-4.1-nano' }) } })).json();
  const queuedJob = await waitForJob(p, queued.id);
  expect(queuedJob.status).toBe('completed');
  const nanoJob = await (await p.http(`/v1/jobs/${nano.response.headers.get('x-parsimony-job-id')}`)).json();
  const bigJob = await (await p.http(`/v1/jobs/${big.response.headers.get('x-parsimony-job-id')}`)).json();

  const { text, samples } = await scrape();

  // HTTP latency: labelled with the express route pattern, never the raw path (job ids would explode the label set).
  expect(total(samples, 'parsimony_http_request_duration_seconds_count', { method: 'POST', route: '/v1/chat/completions', status: '200' })).toBe(2);
  expect(total(samples, 'parsimony_http_request_duration_seconds_count', { method: 'GET', route: '/v1/jobs/:id', status: '200' })).toBeGreaterThanOrEqual(3);
  expect(text).not.toContain(queued.id);
  expect(find(samples, 'parsimony_http_request_duration_seconds_bucket', { route: '/v1/chat/completions', le: '+Inf' }).length).toBeGreaterThan(0);

  // Stage latency: every stage of the pipeline ran three times (two fast-path jobs, one queued).
  const stageNames = [...new Set(find(samples, 'parsimony_stage_duration_seconds_count').map((s) => s.labels.stage))];
  expect(stageNames).toEqual(expect.arrayContaining(['validate', 'route', 'execute']));
  for (const stage of stageNames) expect(total(samples, 'parsimony_stage_duration_seconds_count', { stage })).toBe(3);
  expect(total(samples, 'parsimony_stage_duration_seconds_count', { stage: 'execute', outcome: 'complete' })).toBe(3);

  // Jobs, tokens and USD: exactly what the job records say.
  expect(total(samples, 'parsimony_jobs_finished_total', { status: 'completed', delivered_by: 'execute', tenant: 'acme' })).toBe(3);
  const nanoJobs = [nanoJob, queuedJob];
  const sum = (jobs: MeteredJob[], pick: (j: MeteredJob) => number) => jobs.reduce((s, j) => s + pick(j), 0);
  expect(total(samples, 'parsimony_tokens_total', { model: 'gpt-4.1-nano', direction: 'input' })).toBe(sum(nanoJobs, (j) => j.usage.input_tokens));
  expect(total(samples, 'parsimony_tokens_total', { model: 'gpt-4.1-nano', direction: 'output' })).toBe(sum(nanoJobs, (j) => j.usage.output_tokens));
  expect(total(samples, 'parsimony_cost_usd_total', { model: 'gpt-4.1-nano', kind: 'actual' })).toBeCloseTo(
    sum(nanoJobs, (j) => j.cost.actual_usd),
    12,
  );
  expect(total(samples, 'parsimony_cost_usd_total', { model: 'gpt-4.1', kind: 'baseline' })).toBeCloseTo(bigJob.cost.baseline_usd, 12);
  expect(nanoJob.cost.by_lever.routing).toBeGreaterThan(0);
  expect(total(samples, 'parsimony_saved_usd_total', { model: 'gpt-4.1-nano', lever: 'routing' })).toBeCloseTo(
    sum(nanoJobs, (j) => j.cost.by_lever.routing),
    12,
  );

  // Queue depths are read on scrape and agree with GET /v1/queues.
  const queues = (await (await p.http('/v1/queues')).json()).queues;
  for (const name of Object.values(QUEUES)) expect(find(samples, 'parsimony_queue_jobs', { queue: name }).length).toBeGreaterThan(0);
  expect(total(samples, 'parsimony_queue_jobs', { queue: 'pipeline', state: 'completed' })).toBe(queues.pipeline.completed);

  // Counters other components increment are declared (cache, batches, webhooks), as are process metrics.
  for (const name of ['parsimony_cache_lookups_total', 'parsimony_batches_total', 'parsimony_webhook_deliveries_total', 'parsimony_rate_limited_total', 'process_cpu_user_seconds_total'])
    expect(text).toContain(`# TYPE ${name} `);
});

test('cache hits and misses are counted from the completed jobs’ cache annotations', async () => {
  const before = (await scrape()).samples;
  const question = chatBody('What is the boiling point of water at sea level?', { model: 'gpt-4.1-mini' });
  const statuses: string[] = [];
  // The first ask misses; the answer is stored off the hot path, so ask until it comes from the cache.
  const until = Date.now() + 15_000;
  do {
    const res = await p.http('/v1/chat/completions', { method: 'POST', json: question });
    expect(res.status).toBe(200);
    statuses.push(res.headers.get('x-parsimony-cache')!);
    if (statuses.at(-1) !== 'hit') await new Promise((r) => setTimeout(r, 100));
  } while (statuses.at(-1) !== 'hit' && Date.now() < until);
  expect(statuses.at(-1)).toBe('hit');

  const after = (await scrape()).samples;
  const delta = (labels: Record<string, string>) => total(after, 'parsimony_cache_lookups_total', labels) - total(before, 'parsimony_cache_lookups_total', labels);
  expect(delta({ result: 'hit' })).toBe(1);
  expect(delta({ result: 'miss' })).toBe(statuses.filter((s) => s === 'miss').length);
  expect(total(after, 'parsimony_jobs_finished_total', { delivered_by: 'cache' })).toBeGreaterThanOrEqual(1);
});

test('GET /v1/queues: per-queue counts for a tenant key, 401 without', async () => {
  expect((await p.http('/v1/queues', { tenant: null })).status).toBe(401);
  const body = await (await p.http('/v1/queues')).json();
  expect(Object.keys(body.queues).sort()).toEqual(Object.values(QUEUES).sort());
  for (const states of Object.values(body.queues) as Record<string, number>[]) {
    expect(Object.keys(states)).toEqual(expect.arrayContaining(['waiting', 'active', 'delayed', 'failed', 'completed']));
    for (const count of Object.values(states)) expect(Number.isInteger(count)).toBe(true);
  }
});

test('/admin/* answers 404 when PARSIMONY_ADMIN_KEY is not set', async () => {
  for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
    const res = await fetch(`${p.url}${path}`, { headers: { authorization: `Bearer ${METRICS_KEY}` } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error.type).toBe('not_found_error');
  }
});
