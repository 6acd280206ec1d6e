import { batchJob, startBatchHarness, type BatchHarness } from './harness';

/**
 * The retry budget: a request that fails in every provider batch is tried
 * PARSIMONY_JOB_ATTEMPTS times, then its job fails with the provider's error.
 */
let h: BatchHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test('a request that keeps failing exhausts the retry budget and fails with the provider’s error', async () => {
  h = await startBatchHarness('retry-budget', { env: { PARSIMONY_JOB_ATTEMPTS: '2' } });
  h.sim.faults.add({ batch: { error_share: 1 }, times: 0 });
  const id = await h.submit(batchJob('gpt-4.1-mini', 'Classify ticket TCK-500'));
  const job = await h.waitFor(id);
  expect(job.status).toBe('failed');
  expect(job.error.type).toBe('provider_error');
  expect(job.error.provider_status).toBe(500);
  expect(job.error.message).toMatch(/^openai 500: /);
  expect(h.sim.stats().batches_created).toBe(2);
});
