import Anthropic from '@anthropic-ai/sdk';
import { batchJob, savings, startBatchHarness, type BatchHarness } from './harness';

/**
 * Anthropic batches have no metadata: a batch-submitter that dies after the
 * provider created the batch but before Parsimony recorded it is followed by
 * one that finds the batch by request count and creation time (verified by
 * the custom_id prefix, which names the intent, once the batch has ended) and
 * adopts it. No second provider batch, every job completed once.
 */
let h: BatchHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const until = async (check: () => boolean, timeoutMs = 10_000, refresh?: () => Promise<unknown>) => {
  const end = Date.now() + timeoutMs;
  while ((await refresh?.(), !check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
};

test.each([
  // Still running at reconciliation (restarted at once, the batch takes 5 s): matched tentatively on counts
  // and time, verified by custom_id when it ends.
  ['anthropic', 'claude-haiku-4-5', 5, true],
  // Ended before the restart: recognised at once by the custom_id prefix of its results.
  ['anthropic', 'claude-haiku-4-5', 0.3, false],
])('%s %s: killed between provider batch creation and confirmation → adopted on restart, not sent twice (batch takes %ss)', async (provider, model, batchSeconds, tentative) => {
  h = await startBatchHarness(`crash-intent-${provider}`, { submitter: false, sim: { batchSeconds: batchSeconds as number } });
  const harness = h;
  let created: string | undefined;
  let ended = false;
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
  if (!tentative) {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: harness.sim.url });
    await until(
      () => ended,
      10_000,
      async () => (ended = (await client.messages.batches.retrieve(created!)).processing_status === 'ended'),
    );
  }

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
