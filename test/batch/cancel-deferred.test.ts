import type { Intent } from '../../shared/levers/batch/intent-store';
import { BatchKeys } from '../../shared/levers/batch/batch-keys';
import { PendingPool } from '../../shared/levers/batch/pending-pool';
import { JobOutcomes } from '../../shared/core/jobs/job-outcomes';
import { JobStore } from '../../shared/core/jobs/job-store';
import { batchJob, savings, startBatchHarness, type BatchHarness } from './harness';

/**
 * DELETE /v1/jobs/:id on a job waiting for a provider batch: still pending,
 * it leaves its group and is never sent; already inside a submitted provider
 * batch, it is cancelled at once and its result, when the batch ends, is
 * discarded (the job stays cancelled) while what the provider billed for it
 * is accounted. Real Redis, the simulator's batch API (3-second batches).
 */
let h: BatchHarness;
let keys: BatchKeys;

beforeAll(async () => {
  h = await startBatchHarness('cancel-deferred', { sim: { batchSeconds: 3 }, env: { PARSIMONY_BATCH_MAX_WAIT_SECONDS: '2' } });
  keys = new BatchKeys(h.prefix);
}, 120_000);
afterAll(() => h.close());

async function until<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const cancel = (id: string) => h.http(`/v1/jobs/${id}`, { method: 'DELETE' });

test('a deferred job not yet in a provider batch is cancelled, leaves its group and is never sent', async () => {
  const group = 'openai|gpt-4.1-mini';
  const before = h.sim.stats();
  const [lazy, kept, eager] = await Promise.all(['A', 'B', 'C'].map((n) => h.submit(batchJob('gpt-4.1-mini', `Route ticket TCK-${n}-${Date.now()}`))));
  for (const id of [lazy, kept, eager]) await until(() => h.redis.zscore(keys.pending(group), id), `${id} pending in its group`);
  const bytesBefore = Number(await h.redis.hget(keys.pendingBytes, group));

  // A cancel that does not withdraw the job (e.g. it raced the withdrawal): the group's next claim drops it.
  const outcomes = new JobOutcomes(new JobStore(h.redis, { prefix: h.prefix, retentionSeconds: 3600 }), h.prefix);
  expect((await outcomes.cancel(lazy, ['deferred'])).ok).toBe(true);
  // DELETE /v1/jobs/:id: the producer withdraws the job from its group at once.
  const res = await cancel(eager);
  expect(res.status).toBe(200);
  expect((await res.json()).status).toBe('cancelled');
  const pool = new PendingPool(h.redis, keys);
  expect(await h.redis.zscore(keys.pending(group), eager)).toBeNull();
  expect(await h.redis.exists(keys.job(eager))).toBe(0);
  expect(Number(await h.redis.hget(keys.pendingBytes, group))).toBeLessThan(bytesBefore);
  expect(await pool.withdraw(eager)).toBe('untracked');

  // The group is sent with the one job still waiting; the cancelled ones are not in the provider batch.
  const done = await h.waitFor(kept);
  expect(done.delivered_by).toBe('batch');
  const after = h.sim.stats();
  expect(after.batches_created - before.batches_created).toBe(1);
  expect(after.batch_requests - before.batch_requests).toBe(1);
  for (const id of [lazy, eager]) {
    const job = await h.job(id);
    expect(job.status).toBe('cancelled');
    expect(job.response).toBeNull();
    expect(job.delivered_by).toBeNull();
  }
  // Without the eager withdrawal, the claim dropped the cancelled job from the group.
  expect(await h.redis.zscore(keys.pending(group), lazy)).toBeNull();
  expect(await h.redis.exists(keys.job(lazy))).toBe(0);
  expect(Number(await h.redis.hget(keys.pendingBytes, group))).toBe(0);
});

test('a job cancelled inside a submitted provider batch stays cancelled; its result is discarded and its cost accounted once', async () => {
  const before = h.sim.stats();
  const savingsBefore = await savings(h);
  const [gone, kept] = await Promise.all(['D', 'E'].map((n) => h.submit(batchJob('claude-haiku-4-5', `Summarise order ORD-${n}-${Date.now()} in one line`))));
  const intentId = await until(async () => (await h.redis.hget(keys.job(gone), 'intent')) || undefined, 'the job to join an intent');
  await until(async () => (await h.redis.hget(keys.intent(intentId), 'state')) === 'submitted', 'the provider batch to be submitted');

  const res = await cancel(gone);
  expect(res.status).toBe(200);
  expect((await res.json()).status).toBe('cancelled');

  const done = await h.waitFor(kept);
  expect(done.delivered_by).toBe('batch');
  // Both lines were at the provider: the cancelled one was billed.
  expect(h.sim.stats().batch_requests - before.batch_requests).toBe(2);

  const job = await h.waitFor(gone, (j) => j.batch?.result === 'discarded');
  expect(job.status).toBe('cancelled');
  expect(job.response).toBeNull();
  expect(job.delivered_by).toBeNull();
  expect(job.usage.output_tokens).toBeGreaterThan(0);
  expect(job.cost.actual_usd).toBeGreaterThan(0);
  expect(job.cost.overhead_usd).toBe(job.cost.actual_usd);
  expect(job.batch.provider_batch_id).toBe(done.batch.provider_batch_id);
  expect(await h.redis.exists(keys.job(gone))).toBe(0);

  // The tenant's aggregates: one request served, plus the spend on the discarded one (as overhead).
  const agg = await savings(h);
  const delta = (field: string) => Number(agg[field] ?? 0) - Number(savingsBefore[field] ?? 0);
  expect(delta('all|requests')).toBe(1);
  expect(delta('all|batch_discarded')).toBe(1);
  expect(delta('all|actual_usd')).toBeCloseTo(done.cost.actual_usd + job.cost.actual_usd, 9);
  expect(delta('all|overhead_usd')).toBeCloseTo(done.cost.overhead_usd + job.cost.actual_usd, 9);

  // The same result replayed (a submitter taking over after a crash): nothing is resurrected or counted again.
  const intent = { id: intentId, provider: 'anthropic', model: 'claude-haiku-4-5', providerBatchId: done.batch.provider_batch_id } as Intent;
  const response = { id: 'replayed', model: 'claude-haiku-4-5', content: 'late', tool_calls: [], finish_reason: 'stop' as const, usage: job.usage, created: 0 };
  expect(await h.submitter!.engine.settlement.complete(gone, intent, response)).toBe(false);
  expect((await h.job(gone)).status).toBe('cancelled');
  expect(await savings(h)).toEqual(agg);

  // A finished job is not cancellable.
  expect((await cancel(kept)).status).toBe(409);
});

test('a provider batch whose every job was cancelled is cancelled at the provider; what ran is still accounted', async () => {
  const before = h.sim.stats();
  const ids = await Promise.all(['F', 'G'].map((n) => h.submit(batchJob('gpt-4.1-mini', `Summarise order ORD-${n}-${Date.now()} in one line`))));
  const intentId = await until(async () => (await h.redis.hget(keys.job(ids[0]), 'intent')) || undefined, 'the jobs to join an intent');
  await until(async () => (await h.redis.hget(keys.intent(intentId), 'state')) === 'submitted', 'the provider batch to be submitted');
  const providerBatchId = (await h.redis.hget(keys.intent(intentId), 'provider_batch_id'))!;
  for (const id of ids) expect((await cancel(id)).status).toBe(200);
  // The submitter asks the provider to cancel the batch nobody waits for.
  const client = new (await import('openai')).default({ apiKey: 'sk-test', baseURL: `${h.sim.url}/v1` });
  const status = await until(async () => {
    const s = (await client.batches.retrieve(providerBatchId)).status;
    return ['cancelling', 'cancelled'].includes(s) ? s : undefined;
  }, 'the provider batch to be cancelled');
  expect(['cancelling', 'cancelled']).toContain(status);
  // It ends (cancelled), the intent is collected; the jobs stay cancelled, no synchronous call was made for them.
  await until(async () => (await h.redis.exists(keys.intent(intentId))) === 0, 'the intent to be collected', 15_000);
  for (const id of ids) expect((await h.job(id)).status).toBe('cancelled');
  expect(h.sim.stats().chat_calls - before.chat_calls).toBe(0);
  // Lines that ran before the cancel were billed: each such job carries its discarded result's cost.
  const ran = h.sim.stats().batch_requests - before.batch_requests;
  const discarded = (await Promise.all(ids.map((id) => h.job(id)))).filter((j) => j.batch?.result === 'discarded');
  expect(discarded.length).toBe(ran);
});
