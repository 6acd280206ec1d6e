import { Redis } from 'ioredis';
import { JobStore, IdempotencyConflictError } from '../../shared/core/jobs/job-store';
import type { JobRecord } from '../../shared/core/jobs/job-record';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis';

const prefix = uniquePrefix('store');
let redis: Redis;
let store: JobStore;
beforeAll(() => {
  redis = new Redis(REDIS_URL);
  store = new JobStore(redis, { prefix, retentionSeconds: 60 });
});
afterAll(async () => {
  await deletePrefix(prefix);
  redis.disconnect();
});

function newJob(tenant = 'acme', text = 'hi'): JobRecord {
  return {
    id: JobStore.newId(),
    tenant,
    status: 'queued',
    created_at: new Date().toISOString(),
    options: { requested_model: 'auto', latency: 'async' },
    request: { model: 'auto', system: [], messages: [{ role: 'user', content: [{ type: 'text', text }] }], sampling: {} },
    attempts: 0,
  };
}

test('records are scoped to their tenant', async () => {
  const job = newJob();
  await store.create(job);
  expect((await store.get('acme', job.id))?.id).toBe(job.id);
  expect(await store.get('globex', job.id)).toBeUndefined();
});

test('only one of two racing completions wins', async () => {
  const job = newJob();
  await store.create(job);
  await store.transition(job.id, ['queued'], 'running');
  const results = await Promise.all([
    store.transition(job.id, ['running'], 'completed', (j) => (j.delivered_by = 'worker-a')),
    store.transition(job.id, ['running'], 'completed', (j) => (j.delivered_by = 'worker-b')),
  ]);
  expect(results.filter((r) => r.ok)).toHaveLength(1);
  const stored = await store.load(job.id);
  expect(stored?.status).toBe('completed');
  expect(stored?.delivered_by).toBe(results.find((r) => r.ok)!.job!.delivered_by);
});

test('a cancelled job cannot start', async () => {
  const job = newJob();
  await store.create(job);
  expect((await store.transition(job.id, ['queued'], 'cancelled')).ok).toBe(true);
  const start = await store.transition(job.id, ['queued', 'running'], 'running');
  expect(start.ok).toBe(false);
  expect(start.job?.status).toBe('cancelled');
});

test('idempotency: same key and request → same job; different request → conflict', async () => {
  const a = await store.create(newJob('acme', 'same'), 'key-1');
  const b = await store.create(newJob('acme', 'same'), 'key-1');
  expect(a.created).toBe(true);
  expect(b.created).toBe(false);
  expect(b.job.id).toBe(a.job.id);
  await expect(store.create(newJob('acme', 'different'), 'key-1')).rejects.toBeInstanceOf(IdempotencyConflictError);
  const other = await store.create(newJob('globex', 'same'), 'key-1');
  expect(other.created).toBe(true);
});

test('finished records expire after the retention period', async () => {
  const job = newJob();
  await store.create(job);
  await store.transition(job.id, ['queued'], 'failed');
  const ttl = await redis.ttl(`${prefix}:job:${job.id}`);
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(60);
});
