import { Redis } from 'ioredis';
import { BatchKeys } from '../../shared/levers/batch/batch-keys';
import { flushReason } from '../../shared/levers/batch/flush-policy';
import { IntentStore } from '../../shared/levers/batch/intent-store';
import { PendingPool, groupOf } from '../../shared/levers/batch/pending-pool';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis';
import { batchJob, savings, startBatchHarness } from './harness';

/** Packing: provider + model groups, request and byte limits, and when a group is sent. */

test('a tiny request limit splits one group into several provider batches, each job completed once', async () => {
  const h = await startBatchHarness('packing-split', { env: { PARSIMONY_PROVIDER_BATCH_MAX_REQUESTS: '2', PARSIMONY_BATCH_MAX_WAIT_SECONDS: '0.5' } });
  try {
    const ids = await Promise.all([1, 2, 3, 4, 5].map((i) => h.submit(batchJob('gpt-4.1-mini', `Classify ticket TCK-${i}`))));
    const jobs = await Promise.all(ids.map((id) => h.waitFor(id)));
    expect(jobs.every((j) => j.status === 'completed' && j.delivered_by === 'batch')).toBe(true);
    const sizes = [...jobs.reduce((m, j) => m.set(j.batch.provider_batch_id, (m.get(j.batch.provider_batch_id) ?? 0) + 1), new Map<string, number>()).values()];
    expect(sizes.sort()).toEqual([1, 2, 2]);
    expect(h.sim.stats().batches_created).toBe(3);
    expect(Number((await savings(h))['all|requests'])).toBe(5);
  } finally {
    await h.close();
  }
});

test('a line larger than a whole batch runs synchronously instead of waiting forever', async () => {
  const h = await startBatchHarness('packing-too-big', { env: { PARSIMONY_PROVIDER_BATCH_MAX_BYTES: '64' } });
  try {
    const job = await h.waitFor(await h.submit(batchJob('gpt-4.1-mini', 'Classify ticket TCK-1')));
    expect(job.status).toBe('completed');
    expect(job.delivered_by).toBe('execute');
    expect(job.batch.path).toBe('sync_fallback');
    expect(job.batch.fallback_reason).toBe('not_batchable');
    expect(h.sim.stats().batches_created).toBe(0);
  } finally {
    await h.close();
  }
});

describe('pending pool (real Redis)', () => {
  const prefix = uniquePrefix('packing-pool');
  const keys = new BatchKeys(prefix);
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    redis.disconnect();
    await deletePrefix(prefix);
  });

  test('claims oldest first within the byte limit, skips jobs no longer deferred, and never hands a job to two intents', async () => {
    const pool = new PendingPool(redis, keys);
    const group = groupOf('openai', 'gpt-4.1-mini');
    const ids = ['job_a', 'job_b', 'job_c', 'job_d', 'job_e'];
    for (const id of ids) await redis.hset(`${prefix}:job:${id}`, 'status', id === 'job_b' ? 'completed' : 'deferred');
    await pool.add(ids.map((jobId, i) => ({ jobId, group, bytes: 100, deferredAt: 1_000 + i })));
    // Admitting again (a crashed intake replaying its list) changes nothing.
    await pool.add(ids.map((jobId, i) => ({ jobId, group, bytes: 100, deferredAt: 5_000 + i })));
    const [state] = await pool.groups();
    expect(state).toMatchObject({ group, count: 5, bytes: 500, oldest: 1_000 });

    const first = await pool.claim(group, 'pb0000000000000001', 'openai', 'gpt-4.1-mini', 10, 250, Date.now());
    expect(first).toEqual({ count: 2, bytes: 200 });
    const second = await pool.claim(group, 'pb0000000000000002', 'openai', 'gpt-4.1-mini', 10, 10_000, Date.now());
    expect(second).toEqual({ count: 2, bytes: 200 });
    expect(await pool.claim(group, 'pb0000000000000003', 'openai', 'gpt-4.1-mini', 10, 10_000, Date.now())).toEqual({ count: 0, bytes: 0 });

    const intents = new IntentStore(redis, keys);
    const jobsOf = async (id: string) => (await intents.jobIds(id).next()).value;
    expect(await jobsOf('pb0000000000000001')).toEqual(['job_a', 'job_c']);
    expect(await jobsOf('pb0000000000000002')).toEqual(['job_d', 'job_e']);
    expect(await intents.load('pb0000000000000001')).toMatchObject({ state: 'prepared', size: 2, bytes: 200, provider: 'openai' });
    const [after] = await pool.groups();
    expect(after).toMatchObject({ count: 0, bytes: 0 });

    // A failed request goes back to its group only while its intent still owns it.
    expect(await pool.requeue('job_a', group, 'pb0000000000000002', Date.now())).toBe(false);
    expect(await pool.requeue('job_a', group, 'pb0000000000000001', Date.now())).toBe(true);
    expect(await pool.requeue('job_a', group, 'pb0000000000000001', Date.now())).toBe(false);
    expect((await pool.groups())[0]).toMatchObject({ count: 1, bytes: 100 });
  });
});

describe('flush policy', () => {
  const limits = { maxRequests: 100, maxBytes: 1_000, maxWaitMs: 60_000, turnaroundMs: 1_800_000, marginMs: 300_000 };
  const now = 10_000_000;
  test('keeps filling a young group', () => {
    expect(flushReason({ group: 'g', count: 5, bytes: 100, oldest: now - 1_000 }, limits, now)).toBeUndefined();
    expect(flushReason({ group: 'g', count: 0, bytes: 0 }, limits, now)).toBeUndefined();
  });
  test('sends a full group, an old one, and one whose tightest deadline leaves only the turnaround', () => {
    expect(flushReason({ group: 'g', count: 100, bytes: 100, oldest: now }, limits, now)).toMatch(/request limit/);
    expect(flushReason({ group: 'g', count: 3, bytes: 1_000, oldest: now }, limits, now)).toMatch(/size limit/);
    expect(flushReason({ group: 'g', count: 3, bytes: 10, oldest: now - 60_000 }, limits, now)).toMatch(/waited/);
    expect(flushReason({ group: 'g', count: 3, bytes: 10, oldest: now, tightestDeadline: now + 2_100_000 }, limits, now)).toMatch(/deadline/);
    expect(flushReason({ group: 'g', count: 3, bytes: 10, oldest: now, tightestDeadline: now + 2_200_000 }, limits, now)).toBeUndefined();
  });
  test('while a backlog is taken in, a group waits longer to fill up (full groups and deadlines still go at once)', () => {
    expect(flushReason({ group: 'g', count: 3, bytes: 10, oldest: now - 60_000 }, limits, now, true)).toBeUndefined();
    expect(flushReason({ group: 'g', count: 3, bytes: 10, oldest: now - 180_000 }, limits, now, true)).toMatch(/waited/);
    expect(flushReason({ group: 'g', count: 100, bytes: 10, oldest: now }, limits, now, true)).toMatch(/request limit/);
    expect(flushReason({ group: 'g', count: 3, bytes: 10, oldest: now, tightestDeadline: now + 2_100_000 }, limits, now, true)).toMatch(/deadline/);
  });
});
