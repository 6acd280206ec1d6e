import { batchJob, savings, startBatchHarness, type BatchHarness } from './harness';

/**
 * A batch-submitter that dies after the provider created the batch but before
 * Parsimony recorded it (the window the intent exists for): the next
 * submitter reconciles — finds the provider batch by the intent it carries
 * (OpenAI metadata; Anthropic, which has no metadata, by request count and
 * time, verified by the custom_id prefix when it ends) — and adopts it. No
 * second provider batch, every job completed once.
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

test.each([
  ['openai', 'gpt-4.1-mini', 1],
  // Long enough that the batch is still running at reconciliation: matched tentatively, verified when it ends.
  ['anthropic', 'claude-haiku-4-5', 3],
])('%s: killed between provider batch creation and confirmation → adopted on restart, not sent twice', async (provider, model, batchSeconds) => {
  h = await startBatchHarness(`crash-intent-${provider}`, { submitter: false, sim: { batchSeconds: batchSeconds as number } });
  const harness = h;
  let created: string | undefined;
  harness.startSubmitter({
    probes: {
      afterCreate: async (_intent, providerBatchId, lease) => {
        created = providerBatchId;
        lease.abandon();
        await new Promise(() => {}); // the process is gone: nothing after this point runs
      },
    },
  });
  const ids = await Promise.all([1, 2, 3].map((i) => harness.submit(batchJob(model as string, `Classify ticket TCK-${i}`))));
  await until(() => created !== undefined);
  await harness.killSubmitter();
  expect(harness.sim.stats().batches_created).toBe(1);
  // Deferred, and nobody knows the provider batch id yet.
  expect((await harness.job(ids[0])).status).toBe('deferred');

  harness.startSubmitter();
  const jobs = await Promise.all(ids.map((id) => harness.waitFor(id, undefined, 20_000)));
  for (const job of jobs) {
    expect(job.status).toBe('completed');
    expect(job.delivered_by).toBe('batch');
    expect(job.batch.provider_batch_id).toBe(created);
  }
  expect(harness.sim.stats().batches_created).toBe(1);
  expect(harness.logs.some((l) => l.includes('reconciled: the provider batch of an earlier attempt exists; adopted'))).toBe(true);
  if (provider === 'anthropic') expect(harness.logs.some((l) => l.includes('"tentative":true'))).toBe(true);
  expect(Number((await savings(harness))['all|requests'])).toBe(3);
});
