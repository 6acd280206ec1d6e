import OpenAI from 'openai';
import type { Intent } from '../../shared/levers/batch/intent-store';
import { KEY, savings, startBatchHarness, type BatchHarness } from './harness';

/**
 * The stages' after-completion hooks run for jobs a provider batch answered,
 * as they do on the synchronous paths: the answer is stored in the semantic
 * cache (so the same question on the fast path is a hit, with no provider
 * call) and the session remembers the tier it used. Real Redis, the
 * simulator's batch API, the cache-service writing the cache.
 * (The route stage's hook: a sampled routed job gets its frontier shadow.)
 */
let h: BatchHarness;

beforeAll(async () => {
  // Every routed job is shadowed: the route stage's hook is observable on any "auto" job.
  h = await startBatchHarness('batch-hooks', { cache: true, env: { PARSIMONY_SHADOW_SHARE: '1' } });
}, 120_000);
afterAll(() => h.close());

/** A latency "batch" job whose answer is complete (a truncated answer is never cached). */
function batchJob(model: string, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { request: { model, messages: [{ role: 'user', content: text }], max_tokens: 1000 }, latency: 'batch', ...extra };
}

/** The parts of a cache entry the tests read: its metadata and the cached answer. */
interface CacheEntry {
  job_id: string;
  response?: { content: string | null };
}

/** The cache entry written for `jobId`, waiting for the cache-service to write it. */
async function cacheEntryOf(jobId: string, timeoutMs = 10_000): Promise<CacheEntry | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let cursor = '0';
    do {
      const [next, keys] = await h.redis.scan(cursor, 'MATCH', `${h.prefix}:cache:e:acme:*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const [meta, response] = await h.redis.hmget(key, 'm', 'r');
        const entry = meta ? (JSON.parse(meta) as CacheEntry) : undefined;
        if (entry?.job_id === jobId) return { ...entry, response: response ? JSON.parse(response) : undefined };
      }
    } while (cursor !== '0');
    if (Date.now() > until) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a question answered by a provider batch is cached: the same question on the fast path is a cache hit', async () => {
  const question = `Which department handles ticket TCK-${Date.now()}? One word.`;
  const id = await h.submit(batchJob('gpt-4.1-mini', question));
  const job = await h.waitFor(id);
  expect(job.status).toBe('completed');
  expect(job.delivered_by).toBe('batch');
  // The router-worker looked the question up before deferring it: a miss.
  expect(job.cache.status).toBe('miss');
  expect(job.response.choices[0].finish_reason).toBe('stop');
  expect(h.sim.stats().chat_calls).toBe(0);

  // The cache stage's hook stored the batch answer (through the cache-service) under this job.
  const entry = await cacheEntryOf(id);
  expect(entry).toBeDefined();
  expect(entry!.response!.content).toBe(job.response.choices[0].message.content);

  const client = new OpenAI({ apiKey: KEY, baseURL: `${h.url}/v1`, maxRetries: 0 });
  const { data, response } = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: question }], max_tokens: 1000 }).withResponse();
  expect(response.headers.get('x-parsimony-cache')).toBe('hit');
  expect(data.choices[0].message.content).toBe(job.response.choices[0].message.content);
  // Served from the cache: still no synchronous provider call at all.
  expect(h.sim.stats().chat_calls).toBe(0);
});

test("the route stage's hook runs for a batch-answered routed job: its shadow is launched from the batch-submitter", async () => {
  const id = await h.submit(batchJob('auto', `Classify ticket TCK-${Date.now()}: the app crashes on login`));
  const job = await h.waitFor(id);
  expect(job.delivered_by).toBe('batch');
  expect(job.route.tier).not.toBe('frontier');
  const launched = async () => h.logs.map((l) => JSON.parse(l)).find((l) => l.msg?.startsWith('routing shadow launched') && l.jobId === id);
  const until = Date.now() + 5_000;
  while (!(await launched()) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  const log = await launched();
  expect(log).toBeDefined();
  expect(log.service).toBe('batch-submitter');
  // The shadow saw what the routed model saw (the shaped request stored at deferral), on the frontier model.
  const shadow = await h.redis.hget(`${h.prefix}:job:${log.shadowJobId}`, 'record');
  expect(JSON.parse(shadow!).request.messages).toEqual(JSON.parse((await h.redis.hget(`${h.prefix}:job:${id}`, 'record'))!).request.messages);
});

test('a replayed batch result neither completes the job twice nor runs its hooks again', async () => {
  const id = await h.submit(batchJob('gpt-4.1-mini', `Tag invoice INV-${Date.now()} with its currency`));
  const job = await h.waitFor(id);
  expect(job.delivered_by).toBe('batch');
  expect(await cacheEntryOf(id)).toBeDefined();
  const before = await savings(h);
  const intent = { id: job.batch.intent_id, provider: 'openai', model: 'gpt-4.1-mini', providerBatchId: job.batch.provider_batch_id } as Intent;
  const response = {
    id: 'replayed',
    model: 'gpt-4.1-mini',
    content: 'a different answer',
    tool_calls: [],
    finish_reason: 'stop' as const,
    usage: { input_tokens: 5, output_tokens: 5, cached_input_tokens: 0, cache_write_tokens: 0 },
    created: 0,
  };

  // What a submitter taking over after a crash would do with the same result line.
  expect(await h.submitter!.engine.settlement.complete(id, intent, response)).toBe(false);

  const after = await h.job(id);
  expect(after.completed_at).toBe(job.completed_at);
  expect(after.response.choices[0].message.content).toBe(job.response.choices[0].message.content);
  expect(await savings(h)).toEqual(before);
  // No second store was enqueued: the cached answer is still the first one.
  await new Promise((r) => setTimeout(r, 300));
  expect((await cacheEntryOf(id))?.response!.content).toBe(job.response.choices[0].message.content);
});
