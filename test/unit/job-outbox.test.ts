import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Writable } from 'node:stream';
import { JobOutboxPump, finishedOutboxKey } from '../../shared/core/jobs/job-outbox';
import { JobOutcomes } from '../../shared/core/jobs/job-outcomes';
import { JobStore } from '../../shared/core/jobs/job-store';
import type { JobRecord } from '../../shared/core/jobs/job-record';
import { createLogger } from '../../shared/platform/logging/logger';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis';

const prefix = uniquePrefix('outbox');
const log = createLogger({ service: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });
let redis: Redis;
let store: JobStore;
let outcomes: JobOutcomes;
let queue: Queue;

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  store = new JobStore(redis, { prefix, retentionSeconds: 60 });
  outcomes = new JobOutcomes(store, prefix);
  queue = new Queue('job-events', { connection: redis, prefix: `${prefix}:q` });
});
afterAll(async () => {
  await queue.close();
  await deletePrefix(prefix);
  redis.disconnect();
});

async function storedJob(options: Partial<JobRecord['options']> = {}): Promise<JobRecord> {
  const job: JobRecord = {
    id: JobStore.newId(),
    tenant: 'acme',
    status: 'running',
    created_at: new Date().toISOString(),
    options: { requested_model: 'auto', latency: 'async', ...options },
    request: { model: 'auto', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }], sampling: {} },
    attempts: 1,
  };
  await store.create(job);
  return job;
}

test('a final status is pushed to the outbox in the same step, only when someone waits for it', async () => {
  const waited = await storedJob({ callback_url: 'https://example.com/hook' });
  const unwaited = await storedJob();
  await outcomes.fail(waited.id, ['running'], { type: 'internal_error', message: 'y' });
  await outcomes.fail(unwaited.id, ['running'], { type: 'internal_error', message: 'y' });
  // A second, losing transition pushes nothing.
  await outcomes.fail(waited.id, ['running'], { type: 'internal_error', message: 'again' });
  expect(await redis.lrange(finishedOutboxKey(prefix), 0, -1)).toEqual([waited.id]);
});

test('the pump forwards outbox items to the job-events queue, including what a dead pump left behind', async () => {
  const orphan = await storedJob({ batch_id: 'batch_1' });
  // A pump that died after taking the item but before queueing it.
  await redis.lpush(`${finishedOutboxKey(prefix)}:processing`, orphan.id);
  const connection = redis.duplicate();
  const pump = new JobOutboxPump(connection, prefix, queue, log);
  pump.start();
  const until = Date.now() + 10_000;
  let ids: string[] = [];
  while (Date.now() < until) {
    ids = (await queue.getJobs(['waiting'])).map((j) => j.data.jobId).sort();
    if (ids.length >= 2) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await pump.stop();
  connection.disconnect();
  const [waited] = await redis.lrange(finishedOutboxKey(prefix), 0, -1);
  expect(waited).toBeUndefined();
  expect(ids).toHaveLength(2);
  expect(ids).toContain(orphan.id);
  expect(await redis.llen(`${finishedOutboxKey(prefix)}:processing`)).toBe(0);
});
