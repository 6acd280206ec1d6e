import { batchJob, savings, startBatchHarness, type BatchHarness } from './harness';

/**
 * A batch-submitter that dies after the provider created the batch but before
 * Parsimony recorded it (the window the intent exists for): the next
 * submitter reconciles — finds the provider batch by the intent it carries
 * (OpenAI metadata; Anthropic, which has no metadata, by request count and
 * time, verified by the custom_id prefix when it ends) — and adopts it. No
 * second provider batch, every job completed once. Also: a submitter that
 * dies after recording an intent and uploading its input file, before the
 * provider call, is followed by one that sends the batch once, reusing the file.
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
  // OpenAI batches carry the intent id in their metadata: an exact match.
  ['openai', 'gpt-4.1-mini', 1, false],
])('%s %s: killed between provider batch creation and confirmation → adopted on restart, not sent twice (batch takes %ss)', async (provider, model, batchSeconds, tentative) => {
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
  const adopted = harness.logs.map((l) => JSON.parse(l)).find((l) => l.msg?.startsWith('reconciled'));
  expect(adopted.tentative).toBe(tentative);
  expect(Number((await savings(harness))['all|requests'])).toBe(3);
});

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
