import { startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';

/**
 * The batch lever in the one-process mode (`npm start`): the batch-submitter
 * runs alongside the producer and the router-worker, with every other lever
 * (the semantic cache included) in front of it.
 */
let p: TestParsimony;
beforeAll(async () => {
  const simBatchSeconds = process.env.SIM_BATCH_SECONDS;
  process.env.SIM_BATCH_SECONDS = '0.5';
  try {
    p = await startTestParsimony('batch-all-in-one', {
      PARSIMONY_BATCH_MAX_WAIT_SECONDS: '0.3',
      PARSIMONY_BATCH_FLUSH_INTERVAL_MS: '100',
      PARSIMONY_BATCH_POLL_SECONDS: '0.2',
      PARSIMONY_BATCH_POLL_MAX_SECONDS: '0.5',
    });
  } finally {
    if (simBatchSeconds === undefined) delete process.env.SIM_BATCH_SECONDS;
    else process.env.SIM_BATCH_SECONDS = simBatchSeconds;
  }
}, 120_000);
afterAll(() => p.close());

test('identical batch jobs are all deferred and completed: a deferred job does not hold the cache’s single-flight lock', async () => {
  const body = { request: { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Classify the sentiment: I love this phone.' }] }, latency: 'batch' };
  const ids = await Promise.all(
    [1, 2, 3].map(async () => {
      const res = await p.http('/v1/jobs', { method: 'POST', json: body });
      expect(res.status).toBe(202);
      return (await res.json()).id as string;
    }),
  );
  // Well under the single-flight wait (30 s): nobody waits for a leader that went to a batch.
  const jobs = await Promise.all(ids.map((id) => waitForJob(p, id, undefined, 10_000)));
  for (const job of jobs) {
    expect(job.status).toBe('completed');
    expect(job.delivered_by).toBe('batch');
    expect(job.cost.by_lever.batch).toBeGreaterThan(0);
  }
  expect(p.sim.stats().batches_created).toBe(1);
});
