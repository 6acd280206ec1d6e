import { batchJob, startBatchHarness, type BatchHarness } from './harness';

/**
 * A batch-submitter that dies after recording an intent and uploading its
 * input file, before the provider call: the next one reconciles (nothing to
 * adopt), reuses the uploaded file and sends the batch once.
 */
let h: BatchHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const until = async (check: () => boolean, timeoutMs = 10_000) => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('killed after recording the intent, before the provider call → sent once on restart', async () => {
  h = await startBatchHarness('crash-before-create', { submitter: false });
  const harness = h;
  let reached = false;
  harness.startSubmitter({
    probes: {
      beforeCreate: async (_intent, lease) => {
        reached = true;
        lease.abandon();
        await new Promise(() => {});
      },
    },
  });
  const ids = await Promise.all([1, 2].map((i) => harness.submit(batchJob('gpt-4.1-mini', `Route email EM-${i}`))));
  await until(() => reached);
  await harness.killSubmitter();
  expect(harness.sim.stats().batches_created).toBe(0);

  harness.startSubmitter();
  const jobs = await Promise.all(ids.map((id) => harness.waitFor(id)));
  expect(jobs.every((j) => j.status === 'completed' && j.delivered_by === 'batch')).toBe(true);
  expect(harness.sim.stats().batches_created).toBe(1);
  // The input file uploaded before the crash is reused, not uploaded again.
  expect(harness.sim.stats().requests['/v1/files']).toBe(1);
});
