import { batchJob, startBatchHarness, type BatchHarness } from './harness';

/**
 * Partial failures: failed, expired or cancelled requests are re-batched
 * within the job's retry budget (PARSIMONY_JOB_ATTEMPTS), then the job fails
 * with the provider's error.
 */
let h: BatchHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test.each([
  ['openai', 'gpt-4.1-mini'],
  ['anthropic', 'claude-haiku-4-5'],
])('%s: an expired batch and a partial failure are re-batched and then complete', async (_provider, model) => {
  h = await startBatchHarness(`retry-${_provider}`, { sim: { batchSeconds: 0.3 } });
  h.sim.faults.add({ batch: { expire: true, completed_share: 0 } });
  const expired = await Promise.all([1, 2].map((i) => h!.submit(batchJob(model, `Summarise order ORD-${i}`))));
  const first = await Promise.all(expired.map((id) => h!.waitFor(id)));
  for (const job of first) {
    expect(job.status).toBe('completed');
    expect(job.delivered_by).toBe('batch');
    expect(job.batch.batch_attempts).toBe(2);
  }
  h.sim.faults.add({ batch: { error_share: 0.5 } });
  const partial = await Promise.all([1, 2, 3, 4].map((i) => h!.submit(batchJob(model, `Tag review RV-${i}`))));
  const second = await Promise.all(partial.map((id) => h!.waitFor(id)));
  expect(second.every((j) => j.status === 'completed' && j.delivered_by === 'batch')).toBe(true);
  expect(second.filter((j) => j.batch.batch_attempts === 2)).toHaveLength(2);
  expect(h.sim.stats().batches_created).toBe(4);
});
