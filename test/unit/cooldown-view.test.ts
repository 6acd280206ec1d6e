import { Redis } from 'ioredis';
import { ProviderCooldowns } from '../../shared/providers/provider-cooldown';
import { CooldownView } from '../../shared/providers/cooldown-view';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis';

/**
 * The in-process view of the shared cooldowns (the fast path's, and the
 * router-worker's at a 50 ms refresh) reads a provider's cooldown once per
 * refresh instead of once per job: a cooldown set elsewhere shows within that
 * time, one this process records shows at once. Real Redis, a clock the test moves.
 */
const prefix = uniquePrefix('cooldown-view');
let redis: Redis;
let cooldowns: ProviderCooldowns;
let clock: number;
let reader: CooldownView;
beforeAll(() => {
  redis = new Redis(REDIS_URL);
  cooldowns = new ProviderCooldowns(redis, prefix);
});
beforeEach(async () => {
  await redis.del(cooldowns.key('openai'));
  clock = Date.now();
  reader = new CooldownView(cooldowns, 50, () => clock);
});
afterAll(async () => {
  await deletePrefix(prefix);
  redis.disconnect();
});

test('a cooldown another worker starts is seen once the last read is older than the read TTL, not per job', async () => {
  expect(await reader.remainingMs('openai')).toBe(0);
  await cooldowns.record('openai', 5_000);
  clock += 10;
  // Still the read of 10 ms ago: no Redis command for this job.
  expect(await reader.remainingMs('openai')).toBe(0);
  clock += 50;
  const left = await reader.remainingMs('openai');
  expect(left).toBeGreaterThan(4_000);
  expect(left).toBeLessThanOrEqual(5_000);
});

test('a cooldown this worker records is honoured at once', async () => {
  expect(await reader.remainingMs('openai')).toBe(0);
  const left = await reader.record('openai', 2_000);
  expect(left).toBe(2_000);
  expect(await reader.remainingMs('openai')).toBe(2_000);
});

test('while a cooldown runs, what is left counts down from the read; once it is over the provider may be called', async () => {
  await cooldowns.record('openai', 1_000);
  const first = await reader.remainingMs('openai');
  expect(first).toBeGreaterThan(900);
  clock += 30;
  expect(await reader.remainingMs('openai')).toBe(first - 30);
  await redis.del(cooldowns.key('openai'));
  clock += 50;
  expect(await reader.remainingMs('openai')).toBe(0);
});

test('concurrent asks share one read', async () => {
  await cooldowns.record('openai', 3_000);
  const answers = await Promise.all(Array.from({ length: 5 }, () => reader.remainingMs('openai')));
  expect(new Set(answers).size).toBe(1);
  expect(answers[0]).toBeGreaterThan(2_000);
});
