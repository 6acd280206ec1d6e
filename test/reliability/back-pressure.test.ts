import { dedicatedRedis, type DedicatedRedis } from '../../scripts/reliability/redis-server';
import { chatBody, startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';

/**
 * Back-pressure: with Redis down the producer answers 503 at once (no request
 * hangs) and recovers by itself when Redis returns; a rate-limiting provider
 * slows the queue down instead of burning the jobs' attempts. Redis here is
 * a dedicated redis-server this file starts and stops, never the shared one.
 */
let redis: DedicatedRedis;
let p: TestParsimony;

beforeAll(async () => {
  redis = await dedicatedRedis({ appendonly: true });
  // Two attempts per job: a 429 that burned attempts would fail the job after the second one.
  p = await startTestParsimony('backpressure', { REDIS_URL: redis.url, PARSIMONY_JOB_ATTEMPTS: '2', PARSIMONY_CACHE: 'off' });
}, 120_000);

afterAll(async () => {
  if (!redis.running) await redis.start();
  await p?.close();
  await redis?.remove();
});

/** A request that must answer (anything) rather than hang; 10 s is a hang detector, not a speed target. */
function call(path: string, init: Parameters<TestParsimony['http']>[1] = {}) {
  return p.http(path, { ...init, signal: AbortSignal.timeout(10_000) });
}

test('Redis down: every route that needs it answers 503 with the error shape, then all recovers by itself', async () => {
  const before = await (await call('/v1/jobs', { method: 'POST', json: { request: chatBody('before the outage') } })).json();
  await waitForJob(p, before.id);

  await redis.stop('SIGTERM');
  const attempts = [
    call('/v1/chat/completions', { method: 'POST', json: chatBody('during the outage') }),
    call('/v1/jobs', { method: 'POST', json: { request: chatBody('during the outage, queued') } }),
    call(`/v1/jobs/${before.id}`),
    call('/v1/savings'),
    call('/v1/files'),
    call('/v1/batches'),
  ];
  for (const res of await Promise.all(attempts)) {
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
    const body = await res.json();
    expect(body.error.type).toBe('service_unavailable');
    expect(typeof body.error.message).toBe('string');
  }
  const ready = await call('/readyz');
  expect(ready.status).toBe(503);
  expect((await ready.json()).redis).toBe('unreachable');
  // The process lives on.
  expect((await call('/healthz')).status).toBe(200);

  await redis.start();
  // Recovery needs no restart: the producer's and the workers' connections come back on their own.
  let recovered: { id: string } | undefined;
  for (let i = 0; i < 200 && !recovered; i++) {
    const res = await call('/v1/jobs', { method: 'POST', json: { request: chatBody('after the outage') } });
    if (res.status === 202) recovered = await res.json();
    else await new Promise((r) => setTimeout(r, 100));
  }
  expect(recovered).toBeDefined();
  const job = await waitForJob(p, recovered!.id, undefined, 20_000);
  expect(job.status).toBe('completed');
  // The job stored before the outage survived the (clean) restart.
  expect((await (await call(`/v1/jobs/${before.id}`)).json()).status).toBe('completed');
  expect((await call('/readyz')).status).toBe(200);
}, 60_000);

test('a rate-limiting provider slows the queue down without spending attempts', async () => {
  // Four 429s in a row with retry-after 1 s; the job has only two attempts.
  p.sim.faults.add({ status: 429, retry_after_seconds: 1, times: 4, match: { contains: 'rate-limited-job' } });
  const faultsBefore = p.sim.stats().faults_injected;
  const { id } = await (await call('/v1/jobs', { method: 'POST', json: { request: chatBody('rate-limited-job please') } })).json();
  const job = await waitForJob(p, id, undefined, 25_000);
  expect(job.status).toBe('completed');
  // Five starts (four rate-limited, one answered) although only two attempts were allowed.
  expect(job.attempts).toBe(5);
  expect(p.sim.stats().faults_injected - faultsBefore).toBe(4);
}, 30_000);

test('a 500 still spends attempts: the job fails once they are used up', async () => {
  p.sim.faults.add({ status: 500, times: 5, match: { contains: 'failing-job' } });
  const { id } = await (await call('/v1/jobs', { method: 'POST', json: { request: chatBody('failing-job please') } })).json();
  const job = await waitForJob(p, id, undefined, 20_000);
  expect(job.status).toBe('failed');
  expect(job.attempts).toBe(2);
  expect(job.error.message).toMatch(/500/);
  p.sim.faults.clear();
}, 30_000);
