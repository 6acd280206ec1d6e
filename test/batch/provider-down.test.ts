import { batchJob, startBatchHarness, type BatchHarness } from './harness';

/**
 * The provider is down while a batch is being submitted: the submission is
 * retried with backoff (reconciling first, so a request that did reach the
 * provider is never sent twice), the jobs stay deferred meanwhile, nothing
 * is lost and exactly one provider batch is created.
 */
let h: BatchHarness;
beforeAll(async () => {
  h = await startBatchHarness('provider-down');
}, 120_000);
afterAll(() => h.close());

test.each([
  ['openai upload', 'gpt-4.1-mini', { match: { path: '/v1/files' }, status: 500, times: 2 }],
  ['openai batch creation', 'gpt-4.1-mini', { match: { path: '/v1/batches' }, status: 503, times: 2 }],
  ['anthropic batch creation', 'claude-haiku-4-5', { match: { path: '/v1/messages/batches' }, status: 529, times: 2 }],
])('%s failing: retried, jobs stay deferred, one provider batch', async (_name, model, fault) => {
  h.sim.reset();
  h.sim.faults.add(fault);
  const ids = await Promise.all([1, 2, 3].map((i) => h.submit(batchJob(model as string, `Classify ticket TCK-${i}`))));
  // While the provider refuses, the jobs wait deferred (never failed, never run synchronously).
  const waiting = await h.waitFor(ids[0], (j) => j.status === 'deferred');
  expect(waiting.status).toBe('deferred');
  const jobs = await Promise.all(ids.map((id) => h.waitFor(id, undefined, 20_000)));
  for (const job of jobs) {
    expect(job.status).toBe('completed');
    expect(job.delivered_by).toBe('batch');
  }
  const stats = h.sim.stats();
  expect(stats.faults_injected).toBe(2);
  expect(stats.batches_created).toBe(1);
  expect(stats.chat_calls + stats.message_calls).toBe(0);
  expect(h.logs.some((l) => l.includes('provider batch submission failed; jobs stay deferred, retrying'))).toBe(true);
});
