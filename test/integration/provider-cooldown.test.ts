import { Redis } from 'ioredis';
import { COOLDOWN_FALLBACK_MS, ProviderCooldowns } from '../../shared/providers/provider-cooldown';
import { chatBody, startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';
import { REDIS_URL } from '../helpers/redis';

/**
 * A provider's 429 slows down that provider only: its queued jobs wait out a
 * cooldown shared in Redis (no attempt spent), other providers' jobs flow.
 */
let p: TestParsimony;
let redis: Redis;
let cooldowns: ProviderCooldowns;
beforeAll(async () => {
  // Two attempts: a 429 that spent one would leave the next 429 on the final attempt, which fails the job.
  p = await startTestParsimony('cooldown', { PARSIMONY_JOB_ATTEMPTS: '2' });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  cooldowns = new ProviderCooldowns(redis, p.prefix);
}, 120_000);
afterAll(async () => {
  redis.disconnect();
  await p.close();
});
afterEach(async () => {
  p.sim.faults.clear();
  await redis.del(cooldowns.key('openai'), cooldowns.key('anthropic'));
});

const openaiCalls = () => p.sim.stats().requests['/v1/chat/completions'] ?? 0;
const submit = async (body: unknown): Promise<string> => {
  const res = await p.http('/v1/jobs', { method: 'POST', json: { request: body } });
  expect(res.status).toBeLessThan(300);
  return (await res.json()).id;
};
const bullJob = (id: string) => p.app.workerPlatform.pipelineQueue.getJob(id);

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('provider cooldown after a 429', () => {
  test('an OpenAI 429 delays OpenAI jobs only: Anthropic completes during the cooldown, a second OpenAI job waits without calling', async () => {
    p.sim.faults.add({ status: 429, retry_after_seconds: 5, times: 1, match: { contains: 'lighthouse keepers' } });
    const first = await submit(chatBody('lighthouse keepers of the northern coast: list three duties'));

    // The worker saw the 429 and recorded OpenAI's cooldown for every worker.
    await until('the openai cooldown', async () => (await cooldowns.remainingMs('openai')) > 0);
    const callsBefore = openaiCalls();

    // Anthropic is not cooling down: its job is answered while OpenAI's cooldown still runs.
    const other = await submit(chatBody('sourdough starter feeding schedule for a cold kitchen', { model: 'claude-haiku-4-5' }));
    const answered = await waitForJob(p, other);
    expect(answered.status).toBe('completed');
    expect(await cooldowns.remainingMs('openai')).toBeGreaterThan(0);

    // The rate-limited job waits in the delayed set, its attempt not spent, its record back to 'queued'.
    const held = await until('the first job back in the delayed set', async () => {
      const job = await bullJob(first);
      return job && (await job.getState()) === 'delayed' && job;
    });
    expect(held.attemptsMade).toBe(0);
    expect((await waitForJob(p, first, (j) => j.status === 'queued')).status).toBe('queued');

    // A second OpenAI job during the cooldown is put back without calling the provider.
    const second = await submit(chatBody('tax rules for selling handmade furniture at markets'));
    const bounced = await until('the second job delayed', async () => {
      const job = await bullJob(second);
      return job && (await job.getState()) === 'delayed' && job;
    });
    expect(bounced.attemptsMade).toBe(0);
    expect(await cooldowns.remainingMs('openai')).toBeGreaterThan(0);
    expect(openaiCalls()).toBe(callsBefore);
    expect((await p.http(`/v1/jobs/${second}`).then((r) => r.json())).status).toBe('queued');

    // After the cooldown both OpenAI jobs complete: one call each, no attempt spent on the 429.
    const [a, b] = await Promise.all([waitForJob(p, first, undefined, 30_000), waitForJob(p, second, undefined, 30_000)]);
    expect(a.status).toBe('completed');
    expect(b.status).toBe('completed');
    expect(openaiCalls() - callsBefore).toBe(2);
    expect(Date.parse(a.completed_at)).toBeGreaterThan(Date.parse(answered.completed_at));
    expect(Date.parse(b.completed_at)).toBeGreaterThan(Date.parse(answered.completed_at));

    // Observable: delayed jobs are counted per provider and reason.
    const metrics = await (await p.http('/metrics', { tenant: null })).text();
    expect(metrics).toMatch(/parsimony_provider_cooldown_delays_total\{provider="openai",reason="rate_limited"\} [1-9]/);
    expect(metrics).toMatch(/parsimony_provider_cooldown_delays_total\{provider="openai",reason="cooling_down"\} [1-9]/);
    expect(metrics).not.toMatch(/parsimony_provider_cooldown_delays_total\{provider="anthropic"/);
    expect(p.logs.some((line) => line.includes('job delayed until its cooldown ends') && line.includes(second))).toBe(true);
  }, 60_000);

  test('429s do not spend attempts: two in a row on a 2-attempt job, then it completes', async () => {
    p.sim.faults.add({ status: 429, retry_after_seconds: 1, times: 2, match: { contains: 'twice limited' } });
    const before = openaiCalls();
    const id = await submit(chatBody('twice limited: name a prime number'));
    const job = await waitForJob(p, id, undefined, 30_000);
    expect(job.status).toBe('completed');
    expect(openaiCalls() - before).toBe(3);
  }, 40_000);
});

describe('ProviderCooldowns', () => {
  test('keeps the longer cooldown and falls back to 1 s without retry-after', async () => {
    expect(await cooldowns.record('anthropic', 5_000)).toBe(5_000);
    // A shorter one arriving later does not shorten it.
    const kept = await cooldowns.record('anthropic', 100);
    expect(kept).toBeGreaterThan(1_000);
    expect(await cooldowns.remainingMs('anthropic')).toBeGreaterThan(1_000);
    // A longer one extends it.
    expect(await cooldowns.record('anthropic', 8_000)).toBe(8_000);
    expect(await cooldowns.record('openai', undefined)).toBe(COOLDOWN_FALLBACK_MS);
    expect(await cooldowns.remainingMs('openai')).toBeGreaterThan(0);
    expect(await cooldowns.remainingMs('no-such-provider')).toBe(0);
  });
});

describe('a job on its final attempt', () => {
  let single: TestParsimony;
  beforeAll(async () => {
    single = await startTestParsimony('cooldown-final', { PARSIMONY_JOB_ATTEMPTS: '1' });
  }, 120_000);
  afterAll(async () => {
    await single.close();
  });

  test('calls the provider despite a cooldown (bouncing it would fail it without a call)', async () => {
    const own = new ProviderCooldowns(redis, single.prefix);
    await own.record('openai', 60_000);
    const before = single.sim.stats().requests['/v1/chat/completions'] ?? 0;
    const res = await single.http('/v1/jobs', { method: 'POST', json: { request: chatBody('final attempt: spell the word cooldown') } });
    const job = await waitForJob(single, (await res.json()).id);
    expect(job.status).toBe('completed');
    expect((single.sim.stats().requests['/v1/chat/completions'] ?? 0) - before).toBe(1);
  });
});
