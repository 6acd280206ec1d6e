import OpenAI from 'openai';
import { batchJob, startBatchHarness, type BatchHarness } from './harness';

/**
 * Deadlines: a job whose provider batch is late runs synchronously before its
 * deadline (path sync_fallback, synchronous price), and the provider batch
 * nobody waits for any more is cancelled.
 */
let h: BatchHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test('a slow provider batch and a short deadline: the job is delivered by the synchronous fallback', async () => {
  // The expected turnaround (no history yet: the default, here 1 s) lets a 4-second budget choose a batch;
  // the provider is slow today (30 s): the job falls back before its deadline.
  h = await startBatchHarness('deadline-fallback', { sim: { batchSeconds: 30 }, env: { PARSIMONY_TIER_BATCH_P95_SECONDS: '1', PARSIMONY_TIER_MARGIN_SECONDS: '1' } });
  const id = await h.submit(batchJob('gpt-4.1-mini', 'Classify ticket TCK-77', { deadline: '4s' }));
  const job = await h.waitFor(id, undefined, 15_000);
  expect(job.status).toBe('completed');
  expect(job.delivered_by).toBe('execute');
  expect(job.batch.path).toBe('sync_fallback');
  expect(job.batch.fallback_reason).toBe('deadline');
  expect(job.batch.provider_batch_id).toEqual(expect.any(String));
  // Synchronous price: no batch saving.
  expect(job.cost.by_lever.batch).toBe(0);
  expect(Date.parse(job.completed_at)).toBeLessThan(Date.parse(job.deadline));
  // Its only job went synchronous: the provider batch was cancelled.
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${h.sim.url}/v1` });
  const harness = h;
  const until = Date.now() + 5_000;
  let status = '';
  while (Date.now() < until && !['cancelling', 'cancelled'].includes(status)) {
    status = (await client.batches.retrieve(job.batch.provider_batch_id)).status;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(['cancelling', 'cancelled']).toContain(status);
  expect(harness.sim.stats().chat_calls).toBe(1);
});

test('a deadline already within the safety margin never enters a provider batch: it runs synchronously at once', async () => {
  h = await startBatchHarness('deadline-too-close');
  const id = await h.submit(batchJob('claude-haiku-4-5', 'Summarise order ORD-5', { deadline: '1s' }));
  const job = await h.waitFor(id);
  expect(job.status).toBe('completed');
  expect(job.delivered_by).toBe('execute');
  // The tier choice keeps it off the batch path: its budget cannot hold a batch's turnaround.
  expect(job.processing_tier).toMatchObject({ tier: 'standard', budget_source: 'deadline' });
  expect(job.batch).toMatchObject({ deferred: false });
  expect(h.sim.stats().batches_created).toBe(0);
  expect(h.sim.stats().message_calls).toBe(1);
});
