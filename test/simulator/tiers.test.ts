import OpenAI from 'openai';
import type { Simulator } from '../../infra/simulator/server';
import { GPT, longText, openaiClient, pollUntil, startTestSimulator } from './helpers';

/**
 * The simulator's processing tiers, through the official SDK: flex answers
 * with `service_tier: "flex"`, slower, and 429 "Resource Unavailable" over
 * its capacity; batch turnaround follows the configured distribution; the
 * requests of one batch do not read each other's prompt-cache writes.
 */
let sim: Simulator;
let openai: OpenAI;
beforeAll(async () => {
  sim = await startTestSimulator({ batchSeconds: 0.4 });
  openai = openaiClient(sim);
}, 120_000);
afterAll(() => sim?.close());
afterEach(() => sim.tiers.clear());

const ask = (text: string, tier?: 'flex' | 'default') => openai.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: text }], ...(tier ? { service_tier: tier } : {}) });

test('flex answers on the flex tier, slower; over capacity it is refused with 429 resource unavailable', async () => {
  expect((await ask('plain question')).service_tier).toBe('default');
  sim.tiers.set({ flex: { latency_ms: 150, capacity: 1 } });
  const started = Date.now();
  const flex = ask('flex question', 'flex');
  const second = ask('second flex question', 'flex').then(
    () => 'answered',
    (err: unknown) => err,
  );
  const answer = await flex;
  expect(answer.service_tier).toBe('flex');
  expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  const refused = await second;
  expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
  expect((refused as InstanceType<typeof OpenAI.RateLimitError>).message).toMatch(/Resource Unavailable/);
  expect((refused as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('resource_unavailable');
  expect(sim.stats()).toMatchObject({ flex_calls: 1, flex_refused: 1 });
});

test('a refusal share refuses about that share of flex calls', async () => {
  sim.tiers.set({ flex: { refuse_share: 0.2 }, seed: 7 });
  let refused = 0;
  for (let i = 0; i < 200; i++) await ask(`q${i}`, 'flex').catch(() => (refused += 1));
  expect(refused).toBeGreaterThan(20);
  expect(refused).toBeLessThan(60);
});

async function runBatch(lines: object[]): Promise<{ ms: number; results: { custom_id: string; response: { body: OpenAI.ChatCompletion } }[] }> {
  const file = await openai.files.create({ file: new File([lines.map((l) => JSON.stringify(l)).join('\n')], 'in.jsonl'), purpose: 'batch' });
  const started = Date.now();
  const batch = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  const done = await pollUntil(
    () => openai.batches.retrieve(batch.id),
    (b) => b.status === 'completed',
    20_000,
    20,
  );
  const ms = Date.now() - started;
  const text = await (await openai.files.content(done.output_file_id!)).text();
  return {
    ms,
    results: text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
  };
}

test('batch turnaround follows the configured distribution', async () => {
  sim.tiers.set({ batch: { openai: { p50_seconds: 1.2, p95_seconds: 1.5 } } });
  const { ms } = await runBatch([{ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { model: GPT, messages: [{ role: 'user', content: 'hi' }] } }]);
  // batchSeconds is 0.4: the configured distribution (≥ ~0.9 s at 3 σ below the median) is what ran.
  expect(ms).toBeGreaterThan(800);
});

test("the requests of one batch do not read each other's cache writes; they read what was written before, and later calls read theirs", async () => {
  const system = longText(1500, 11);
  const line = (id: string, q: string, sys = system) => ({
    custom_id: id,
    method: 'POST',
    url: '/v1/chat/completions',
    body: {
      model: GPT,
      prompt_cache_key: 'k',
      messages: [
        { role: 'system', content: sys },
        { role: 'user', content: q },
      ],
    },
  });
  const cold = await runBatch([line('a', 'first'), line('b', 'second'), line('c', 'third')]);
  for (const r of cold.results) expect(r.response.body.usage!.prompt_tokens_details!.cached_tokens).toBe(0);
  // The batch's writes landed when it ended: a later call reads them.
  const after = await openai.chat.completions.create({
    model: GPT,
    prompt_cache_key: 'k',
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: 'fourth' },
    ],
  });
  expect(after.usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThanOrEqual(1024);
  // A prefix written by a synchronous call before the batch (a warm-up) is read by every line.
  const other = longText(1500, 12);
  await openai.chat.completions.create({
    model: GPT,
    prompt_cache_key: 'k',
    max_completion_tokens: 1,
    messages: [
      { role: 'system', content: other },
      { role: 'user', content: 'warm' },
    ],
  });
  const warm = await runBatch([line('d', 'x', other), line('e', 'y', other)]);
  for (const r of warm.results) expect(r.response.body.usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThanOrEqual(1024);
});
