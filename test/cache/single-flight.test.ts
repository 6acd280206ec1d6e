import Redis from 'ioredis';
import { CacheKeys } from '../../shared/levers/cache/cache-keys';
import { SingleFlight } from '../../shared/levers/cache/single-flight';
import { requestKey } from '../../shared/levers/cache/request-key';
import { cacheFixture } from './cache-stage-fixture';
import { answer, chat, pipelineContext, sleep, testRedis } from './cache-test-helpers';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis';

const r = testRedis('flight');
const second = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
afterAll(async () => {
  second.disconnect();
  await r.cleanup();
});

describe('single-flight across two Redis connections', () => {
  test('identical concurrent requests make one provider call; the others get its answer', async () => {
    // Two "processes": separate Redis connections, separate cache instances, shared Redis.
    const p1 = cacheFixture(r.redis, r.prefix);
    const p2 = cacheFixture(second, r.prefix);
    let providerCalls = 0;
    const provider = async (text: string) => {
      providerCalls++;
      await sleep(150);
      return answer(`answer: ${text}`);
    };
    const run = async (fx: typeof p1, i: number) => {
      const ctx = pipelineContext('sf-tenant', chat('What is the refund policy for annual plans?'));
      const outcome = await fx.stage.run(ctx);
      if (outcome.kind === 'complete') return { i, content: outcome.response.content, cached: true };
      const response = await provider('refund');
      await fx.stage.afterComplete(ctx, response);
      return { i, content: response.content, cached: false };
    };
    const results = await Promise.all([run(p1, 0), run(p2, 1), run(p1, 2), run(p2, 3)]);
    expect(providerCalls).toBe(1);
    expect(results.filter((x) => !x.cached)).toHaveLength(1);
    expect(new Set(results.map((x) => x.content))).toEqual(new Set(['answer: refund']));
  });

  test('when the leader fails, waiters stop waiting and go ahead themselves', async () => {
    const keys = new CacheKeys(r.prefix);
    const a = new SingleFlight(r.redis, keys, { waitTimeoutMs: 10_000, pollMs: 10 });
    const b = new SingleFlight(second, keys, { waitTimeoutMs: 10_000, pollMs: 10 });
    const leader = await a.acquire('t', 'h1');
    expect(leader.leader).toBe(true);
    expect((await b.acquire('t', 'h1')).leader).toBe(false);
    const started = Date.now();
    const waiting = b.wait('t', 'h1');
    await sleep(50);
    if (leader.leader) await a.release('t', 'h1', leader.token);
    expect(await waiting).toBeNull();
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await b.acquire('t', 'h1')).leader).toBe(true);
  });

  test('a waiter gives up at its timeout when the leader never answers', async () => {
    const keys = new CacheKeys(r.prefix);
    const a = new SingleFlight(r.redis, keys, { lockTtlMs: 60_000 });
    const b = new SingleFlight(second, keys, { waitTimeoutMs: 200, pollMs: 20 });
    expect((await a.acquire('t', 'h2')).leader).toBe(true);
    expect(await b.wait('t', 'h2')).toBeNull();
  });

  test('only the lock holder can release the lock', async () => {
    const keys = new CacheKeys(r.prefix);
    const a = new SingleFlight(r.redis, keys);
    const b = new SingleFlight(second, keys);
    const ticket = await a.acquire('t', 'h3');
    await b.release('t', 'h3', 'not-the-token');
    expect((await b.acquire('t', 'h3')).leader).toBe(false);
    if (ticket.leader) await a.publish('t', 'h3', ticket.token, answer('done'));
    expect(await b.wait('t', 'h3')).toMatchObject({ content: 'done' });
  });
});

describe('single-flight owned by a job', () => {
  test('a job re-delivered after its worker died takes its own lock back; other jobs still wait', async () => {
    const redis = new Redis(REDIS_URL);
    const prefix = uniquePrefix('flight-owner');
    const flights = new SingleFlight(redis, new CacheKeys(prefix));
    try {
      const first = await flights.acquire('acme', 'h1', 'job_a');
      expect(first.leader).toBe(true);
      // The same job again (its first worker died holding the lock): leader at once.
      expect((await flights.acquire('acme', 'h1', 'job_a')).leader).toBe(true);
      // Another job with the same request: follower.
      expect((await flights.acquire('acme', 'h1', 'job_b')).leader).toBe(false);
    } finally {
      await deletePrefix(prefix);
      redis.disconnect();
    }
  });
});

describe('single-flight lock taken in the exact tier’s round trip', () => {
  const lockHeld = (tenant: string, text: string) => r.redis.exists(new CacheKeys(r.prefix).flightLock(tenant, requestKey(tenant, chat(text)).exactHash));

  test('a miss leads from its lookup (an identical request then waits); an exact hit takes no lock', async () => {
    const fx = cacheFixture(r.redis, r.prefix);
    const leader = pipelineContext('sf-exact', chat('How many moons does Mars have?'));
    expect(await fx.stage.run(leader)).toEqual({ kind: 'continue' });
    expect(await lockHeld('sf-exact', 'How many moons does Mars have?')).toBe(1);
    // An identical request meanwhile is a follower: it is answered with the leader's response once published.
    const follower = fx.stage.run(pipelineContext('sf-exact', chat('How many moons does Mars have?')));
    await sleep(50);
    await fx.stage.afterComplete(leader, answer('Two: Phobos and Deimos.'));
    expect(await follower).toMatchObject({ kind: 'complete', response: { content: 'Two: Phobos and Deimos.' } });
    expect(await lockHeld('sf-exact', 'How many moons does Mars have?')).toBe(0);
    // Now cached: an exact hit, and no lock left behind for anyone to wait on.
    expect(await fx.stage.run(pipelineContext('sf-exact', chat('How many moons does Mars have?')))).toMatchObject({ kind: 'complete' });
    expect(await lockHeld('sf-exact', 'How many moons does Mars have?')).toBe(0);
  });

  test('a request the semantic tier answers lets go of the lock its exact-tier miss took', async () => {
    const fx = cacheFixture(r.redis, r.prefix);
    await fx.serve(pipelineContext('sf-semantic', chat('How can I cancel my subscription?')), answer('Go to Settings > Billing.'));
    const paraphrase = pipelineContext('sf-semantic', chat('How do I cancel my subscription?'));
    expect(await fx.stage.run(paraphrase)).toMatchObject({ kind: 'complete', response: { content: 'Go to Settings > Billing.' } });
    expect((paraphrase.annotations.cache as { kind?: string }).kind).toBe('semantic');
    // The release is off the answer's path: give it a moment.
    for (let i = 0; i < 50 && (await lockHeld('sf-semantic', 'How do I cancel my subscription?')) === 1; i++) await sleep(10);
    expect(await lockHeld('sf-semantic', 'How do I cancel my subscription?')).toBe(0);
  });
});
