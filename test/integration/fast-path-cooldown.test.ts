import OpenAI from 'openai';
import { Redis } from 'ioredis';
import { ProviderCooldowns } from '../../shared/providers/provider-cooldown';
import { COOLDOWN_VIEW_REFRESH_MS } from '../../shared/providers/cooldown-view';
import { chatBody, startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';
import { REDIS_URL } from '../helpers/redis';

/**
 * One back-pressure rule on both paths: a 429 the fast path receives starts the
 * per-provider cooldown queued jobs honour, and a synchronous call during a
 * cooldown waits it out when it is short or answers 429 with retry-after at
 * once, without calling the provider. Driven through the official openai SDK.
 */
let p: TestParsimony;
let redis: Redis;
let cooldowns: ProviderCooldowns;
beforeAll(async () => {
  p = await startTestParsimony('fast-cooldown', { PARSIMONY_JOB_ATTEMPTS: '2', PARSIMONY_SYNC_COOLDOWN_WAIT_MS: '2000' });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  cooldowns = new ProviderCooldowns(redis, p.prefix);
}, 120_000);
afterAll(async () => {
  redis?.disconnect();
  await p?.close();
});
afterEach(async () => {
  p.sim.faults.clear();
  await redis.del(cooldowns.key('openai'), cooldowns.key('anthropic'));
  // The fast path trusts one read of a cooldown for COOLDOWN_VIEW_REFRESH_MS: let the deletion be seen.
  await new Promise((r) => setTimeout(r, COOLDOWN_VIEW_REFRESH_MS + 50));
});

const openaiCalls = () => p.sim.stats().requests['/v1/chat/completions'] ?? 0;
// No SDK retries: the test sees exactly what Parsimony answered.
const client = () => p.openai('acme', { maxRetries: 0 });
const ask = (text: string) => client().chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: text }] });

describe('fast-path back-pressure', () => {
  test('a fast-path 429 starts the cooldown: the caller gets 429 + retry-after, a queued job waits, a second sync call does not reach the provider', async () => {
    p.sim.faults.add({ status: 429, retry_after_seconds: 6, times: 1, match: { contains: 'glacier survey' } });
    const before = openaiCalls();
    const err = await ask('glacier survey: name three instruments').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const retryAfter = Number((err as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(5);
    expect(retryAfter).toBeLessThanOrEqual(6);
    // One provider call: the cooldown (6 s > the 2 s the fast path may wait) ended the request, not three private retries.
    expect(openaiCalls() - before).toBe(1);
    expect(await cooldowns.remainingMs('openai')).toBeGreaterThan(3_000);

    // A queued job for the same provider honours the cooldown the fast path started: delayed, attempt not spent, not called.
    const res = await p.http('/v1/jobs', { method: 'POST', json: { request: chatBody('queued after a sync rate limit: spell harbour') } });
    const queuedId = (await res.json()).id as string;
    const held = await until('the queued job delayed', async () => {
      const job = await p.app.workerPlatform.pipelineQueue.getJob(queuedId);
      return job && (await job.getState()) === 'delayed' && job;
    });
    expect(held.attemptsMade).toBe(0);
    expect(openaiCalls() - before).toBe(1);

    // A second synchronous call during the long cooldown: 429 at once, the provider not called.
    const second = await ask('a different question about tide tables').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(second).toBeInstanceOf(OpenAI.RateLimitError);
    expect(Number((second as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(openaiCalls() - before).toBe(1);

    // Anthropic is not cooling down: its synchronous call goes through meanwhile.
    const other = await client().chat.completions.create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'bread proofing temperatures' }] });
    expect(other.choices[0]!.message.content).toBeTruthy();

    // After the cooldown the queued job completes with one more call.
    const done = await waitForJob(p, queuedId, undefined, 30_000);
    expect(done.status).toBe('completed');
    expect(openaiCalls() - before).toBe(2);
  }, 60_000);

  test('a short cooldown is waited out: the sync call succeeds after the 429, and the cooldown was shared meanwhile', async () => {
    p.sim.faults.add({ status: 429, retry_after_seconds: 1, times: 1, match: { contains: 'short limit' } });
    const before = openaiCalls();
    let sawCooldown = false;
    const watching = (async () => {
      for (let i = 0; i < 100 && !sawCooldown; i++) {
        sawCooldown = (await cooldowns.remainingMs('openai')) > 0;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const answer = await ask('short limit: name a colour');
    await watching;
    expect(answer.choices[0]!.message.content).toBeTruthy();
    expect(sawCooldown).toBe(true);
    expect(openaiCalls() - before).toBe(2);
  }, 30_000);

  test('a cooldown started elsewhere (e.g. by a worker) is honoured by the fast path without calling the provider', async () => {
    await cooldowns.record('openai', 30_000);
    await new Promise((r) => setTimeout(r, COOLDOWN_VIEW_REFRESH_MS + 50));
    const before = openaiCalls();
    const err = await ask('cooldown from elsewhere: count to three').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(Number((err as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after'))).toBeGreaterThan(20);
    expect(openaiCalls()).toBe(before);
  }, 30_000);
});

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
