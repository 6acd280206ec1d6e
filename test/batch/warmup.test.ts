import { longText } from '../simulator/helpers';
import { startBatchHarness, type BatchHarness } from './harness';

/**
 * Prompt caching across a provider batch: a group sharing a long prefix gets
 * one synchronous warm-up request before its batch, so every line reads the
 * prefix from the provider's cache (the simulator, like the providers, does
 * not let a batch's lines read each other's writes). The warm-up is priced
 * as overhead of the group's jobs.
 */
let h: BatchHarness;
beforeAll(async () => {
  h = await startBatchHarness('warmup', { sim: { batchSeconds: 0.5 }, env: { PARSIMONY_BATCH_MAX_WAIT_SECONDS: '1' } });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const body = (model: string, system: string, i: number) => ({
  request: {
    model,
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: `Question ${i}: which clause covers refund case R-${i}?` },
    ],
    max_tokens: 30,
  },
  latency: 'batch',
});

test.each([
  ['openai', 'gpt-4.1-mini'],
  ['anthropic', 'claude-sonnet-4-6'],
])('%s: the warm-up writes the shared prefix; every line of the batch reads it', async (_provider, model) => {
  const system = longText(3000, model.length);
  const before = h.sim.stats();
  const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => h.submit(body(model, system, i))));
  const jobs = await Promise.all(ids.map((id) => h.waitFor(id, undefined, 30_000)));
  const after = h.sim.stats();
  // One synchronous call (the warm-up) and one provider batch of all 12.
  expect(after.chat_calls + after.message_calls - before.chat_calls - before.message_calls).toBe(1);
  expect(after.batches_created - before.batches_created).toBe(1);
  const prefix = jobs[0].batch.warmup.shared_prefix_tokens;
  expect(prefix).toBeGreaterThan(3000);
  for (const job of jobs) {
    expect(job.delivered_by).toBe('batch');
    expect(job.batch.warmup.overhead_usd).toBeGreaterThan(0);
    expect(job.cost.overhead_usd).toBeGreaterThanOrEqual(job.batch.warmup.overhead_usd);
    // Cached reads obtained: most of the shared prefix on every line.
    expect(job.usage.cached_input_tokens).toBeGreaterThan(0.8 * prefix);
  }
});

test('a group without a long shared prefix is not warmed', async () => {
  const before = h.sim.stats();
  const ids = await Promise.all(Array.from({ length: 4 }, (_, i) => h.submit(body('gpt-4.1-mini', `Short system ${i}.`, i))));
  const jobs = await Promise.all(ids.map((id) => h.waitFor(id, undefined, 30_000)));
  for (const job of jobs) {
    expect(job.delivered_by).toBe('batch');
    expect(job.batch.warmup).toBeUndefined();
  }
  expect(h.sim.stats().chat_calls - before.chat_calls).toBe(0);
});
