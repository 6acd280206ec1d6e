import { batchJob, savings, startBatchHarness, type BatchHarness } from './harness';

/**
 * The batch lever end to end: latency-tolerant jobs are deferred, packed into
 * one provider batch per provider + model, and completed from the batch
 * results at the batch price, for both providers, through the official SDKs
 * against the simulator.
 */
let h: BatchHarness;

beforeAll(async () => {
  h = await startBatchHarness('batch-path', { env: { PARSIMONY_BATCH_MAX_WAIT_SECONDS: '1' } });
}, 120_000);
afterAll(() => h.close());

test('latency "batch" jobs of both providers are deferred, batched and completed at the batch price', async () => {
  const ids = await Promise.all([
    ...[1, 2, 3].map((i) => h.submit(batchJob('gpt-4.1-mini', `Classify ticket TCK-${i}: the app crashes on login`))),
    ...[1, 2, 3].map((i) => h.submit(batchJob('claude-haiku-4-5', `Summarise order ORD-${i} in one line`))),
  ]);
  // Deferred first: parked for the batch-submitter, with the reason recorded.
  const parked = await h.waitFor(ids[0], (j) => j.status !== 'queued' && j.status !== 'running');
  expect(['deferred', 'completed']).toContain(parked.status);
  expect(parked.batch.deferred).toBe(true);
  expect(parked.batch.reason).toMatch(/latency "batch"/);

  const jobs = await Promise.all(ids.map((id) => h.waitFor(id)));
  for (const job of jobs) {
    expect(job.status).toBe('completed');
    expect(job.delivered_by).toBe('batch');
    expect(job.batch.path).toBe('batch');
    expect(job.batch.provider_batch_id).toEqual(expect.any(String));
    expect(job.response.choices[0].message.content).toEqual(expect.any(String));
    expect(job.usage.output_tokens).toBeGreaterThan(0);
    // The batch saving is its own line of the waterfall, and the waterfall adds up.
    expect(job.cost.by_lever.batch).toBeGreaterThan(0);
    const levers = Object.values(job.cost.by_lever as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(job.cost.actual_usd).toBeCloseTo(job.cost.baseline_usd - levers + job.cost.overhead_usd, 7);
  }
  expect(jobs.slice(0, 3).every((j) => j.batch.provider === 'openai')).toBe(true);
  expect(jobs.slice(3).every((j) => j.batch.provider === 'anthropic')).toBe(true);
  // One provider batch per provider + model; no synchronous provider call at all.
  expect(new Set(jobs.slice(0, 3).map((j) => j.batch.provider_batch_id)).size).toBe(1);
  expect(new Set(jobs.slice(3).map((j) => j.batch.provider_batch_id)).size).toBe(1);
  const stats = h.sim.stats();
  expect(stats.batches_created).toBe(2);
  expect(stats.batch_requests).toBe(6);
  expect(stats.chat_calls + stats.message_calls).toBe(0);
  // Each job counted once in the savings aggregates, as batched.
  const agg = await savings(h);
  expect(Number(agg['all|requests'])).toBe(6);
  expect(Number(agg['all|batched'])).toBe(6);
  expect(Number(agg['all|lever:batch'])).toBeGreaterThan(0);
});

test('async jobs go to a batch only with a deadline far enough away; sync never waits', async () => {
  const far = await h.submit({ request: { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Tag invoice INV-7' }] }, latency: 'async', deadline: '6h' });
  const near = await h.submit({ request: { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Tag invoice INV-8' }] }, latency: 'async', deadline: '10m' });
  const plain = await h.submit({ request: { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Tag invoice INV-9' }] } });
  const sync = await h.http('/v1/jobs', { method: 'POST', json: { request: { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Tag invoice INV-10' }] }, latency: 'sync' } });
  expect(sync.status).toBe(200);
  expect((await sync.json()).delivered_by).toBe('execute');

  const [farJob, nearJob, plainJob] = await Promise.all([far, near, plain].map((id) => h.waitFor(id)));
  expect(farJob.delivered_by).toBe('batch');
  expect(farJob.batch.reason).toMatch(/deadline/);
  expect(farJob.cost.by_lever.batch).toBeGreaterThan(0);
  for (const job of [nearJob, plainJob]) {
    expect(job.status).toBe('completed');
    expect(job.delivered_by).toBe('execute');
    expect(job.cost.by_lever.batch).toBe(0);
  }
});
