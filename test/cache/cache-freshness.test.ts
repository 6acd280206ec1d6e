import { CacheTenantPolicySchema } from '../../shared/levers/cache/cache-options';
import { CacheRequestOptionsSchema, TTL_CLASS_SECONDS, resolveCacheOptions } from '../../shared/levers/cache/cache-options';
import type { CacheAnnotation } from '../../shared/levers/cache/cache-stage';
import { requestKey } from '../../shared/levers/cache/request-key';
import { cacheFixture } from './cache-stage-fixture';
import { answer, chat, pipelineContext, sleep, testRedis } from './cache-test-helpers';

const r = testRedis('freshness');
afterAll(() => r.cleanup());
const f = cacheFixture(r.redis, r.prefix);
let n = 0;
const fresh = () => `fresh-${++n}`;

describe('TTL and freshness', () => {
  test('ttl classes map to their default lifetimes; the request option wins over the tenant default', () => {
    const policy = CacheTenantPolicySchema.parse({});
    expect(resolveCacheOptions(undefined, policy, 0.9).ttlSeconds).toBe(TTL_CLASS_SECONDS.volatile);
    expect(resolveCacheOptions(CacheRequestOptionsSchema.parse({ ttl_class: 'static' }), policy, 0.9).ttlSeconds).toBe(30 * 24 * 3600);
    expect(resolveCacheOptions(CacheRequestOptionsSchema.parse({ ttl_class: 'user' }), policy, 0.9).ttlSeconds).toBe(600);
    expect(resolveCacheOptions(CacheRequestOptionsSchema.parse({ ttl_seconds: 5, ttl_class: 'static' }), policy, 0.9).ttlSeconds).toBe(5);
    const tenantPolicy = CacheTenantPolicySchema.parse({ threshold: 0.8, task_thresholds: { code: 0.99 } });
    expect(resolveCacheOptions(undefined, tenantPolicy, 0.9, 'code').threshold).toBe(0.99);
    expect(resolveCacheOptions(undefined, tenantPolicy, 0.9, 'chat').threshold).toBe(0.8);
    expect(resolveCacheOptions({ mode: 'default', threshold: 0.95 }, tenantPolicy, 0.9, 'code').threshold).toBe(0.95);
  });

  test('an expired entry is never served (exact or semantic), even before any sweep', async () => {
    const t = fresh();
    await f.serve(pipelineContext(t, chat('How can I cancel my subscription?'), { cache: { ttl_seconds: 1 } }), answer('short-lived'));
    expect(await f.stage.run(pipelineContext(t, chat('How can I cancel my subscription?')))).toMatchObject({ kind: 'complete' });
    await sleep(1100);
    for (const text of ['How can I cancel my subscription?', 'How do I cancel my subscription?']) {
      const ctx = pipelineContext(t, chat(text));
      expect(await f.stage.run(ctx)).toEqual({ kind: 'continue' });
      expect((ctx.annotations.cache as CacheAnnotation).hit).toBe(false);
    }
  });

  test('a hit never extends an entry’s life', async () => {
    const t = fresh();
    const q = chat('What is the capital of Peru?');
    await f.serve(pipelineContext(t, q, { cache: { ttl_seconds: 2 } }), answer('Lima'));
    const key = requestKey(t, q);
    const entry = await f.cache.repo.getExact(t, key.exactHash, Date.now());
    const pttlBefore = await r.redis.pttl(f.cache.repo.keys.exact(t, key.exactHash));
    for (let i = 0; i < 5; i++) expect(await f.stage.run(pipelineContext(t, q))).toMatchObject({ kind: 'complete' });
    const after = await f.cache.repo.get(t, entry!.id);
    expect(after!.expires_at).toBe(entry!.expires_at);
    expect(await r.redis.pttl(f.cache.repo.keys.exact(t, key.exactHash))).toBeLessThanOrEqual(pttlBefore);
    await sleep(2100);
    expect(await f.stage.run(pipelineContext(t, q))).toEqual({ kind: 'continue' });
  });

  test('a second answer for a request with a live exact entry is not stored; a refresh replaces it', async () => {
    const t = fresh();
    const q = chat('Which planet is the largest?');
    const key = requestKey(t, q);
    const payload = {
      tenant: t,
      job_id: 'job_dup1',
      scope: key.scope,
      request_hash: key.exactHash,
      text: key.text,
      semantic: true,
      tier: 'mid',
      response: answer('Jupiter'),
      ttl_seconds: 3600,
      tags: [],
      replace: false,
      completed_at: Date.now(),
    };
    const first = await f.cache.storeEntry(payload);
    expect(first).toMatchObject({ stored: true });
    const vectors = await f.store.count();
    expect(await f.cache.storeEntry({ ...payload, job_id: 'job_dup2', response: answer('Saturn') })).toMatchObject({ stored: false, reason: 'duplicate' });
    expect(await f.store.count()).toBe(vectors); // no orphan vector for the refused duplicate
    expect((await f.cache.repo.getExact(t, key.exactHash, Date.now()))!.response.content).toBe('Jupiter');
    const refreshed = await f.cache.storeEntry({ ...payload, job_id: 'job_dup3', response: answer('Jupiter, by far'), replace: true });
    expect(refreshed).toMatchObject({ stored: true });
    const served = await f.cache.repo.getExact(t, key.exactHash, Date.now());
    expect(served!.id).toBe(refreshed.entryId);
    expect(served!.response.content).toBe('Jupiter, by far');
  });

  test('sweepExpired removes expired records, indexes and vectors, and leaves live ones', async () => {
    const t = fresh();
    await f.serve(pipelineContext(t, chat('What is the speed of sound?'), { cache: { ttl_seconds: 1 } }), answer('343 m/s'));
    await f.serve(pipelineContext(t, chat('What is the speed of light?'), { cache: { ttl_seconds: 3600 } }), answer('c'));
    const vectorsBefore = await f.store.count();
    await sleep(1100);
    const swept = await f.writer.sweepExpired();
    expect(swept.removed).toBeGreaterThanOrEqual(1);
    expect(await f.store.count()).toBeLessThan(vectorsBefore);
    expect(await r.redis.zcard(f.cache.repo.keys.created(t))).toBe(1);
    expect(await f.stage.run(pipelineContext(t, chat('What is the speed of light?')))).toMatchObject({ kind: 'complete' });
  });
});

describe('invalidation and purge', () => {
  test('invalidate(tenant, id) removes one entry; another tenant cannot invalidate it', async () => {
    const t = fresh();
    const ctx = pipelineContext(t, chat('Where is the Eiffel Tower?'));
    await f.serve(ctx, answer('Paris'));
    const hit = pipelineContext(t, chat('Where is the Eiffel Tower?'));
    await f.stage.run(hit);
    const id = (hit.annotations.cache as CacheAnnotation).entry_id!;
    expect(await f.writer.invalidate('someone-else', id)).toBe(false);
    expect(await f.writer.invalidate(t, id)).toBe(true);
    expect(await f.stage.run(pipelineContext(t, chat('Where is the Eiffel Tower?')))).toEqual({ kind: 'continue' });
    expect(await f.stage.run(pipelineContext(t, chat('Where is the Eiffel Tower located?')))).toEqual({ kind: 'continue' });
  });

  test('purge by tag (metadata.cache_tags), by scope and by age', async () => {
    const t = fresh();
    await f.serve(pipelineContext(t, chat('What are the prices?'), { metadata: { cache_tags: ['pricing'] } }), answer('$10'));
    await f.serve(pipelineContext(t, chat('What are the opening hours?'), { metadata: { cache_tags: ['hours'] } }), answer('9-5'));
    expect(await f.writer.purge(t, { tag: 'pricing' })).toBe(1);
    expect(await f.stage.run(pipelineContext(t, chat('What are the prices?')))).toEqual({ kind: 'continue' });
    expect(await f.stage.run(pipelineContext(t, chat('What are the opening hours?')))).toMatchObject({ kind: 'complete' });

    const pirate = chat('What are the opening hours?', { system: [{ type: 'text', text: 'Talk like a pirate.' }] });
    await f.serve(pipelineContext(t, pirate), answer('Arr, 9-5'));
    const scope = requestKey(t, pirate).scope;
    expect(await f.writer.purge(t, { scope })).toBe(1);
    expect(await f.stage.run(pipelineContext(t, pirate))).toEqual({ kind: 'continue' });
    expect(await f.stage.run(pipelineContext(t, chat('What are the opening hours?')))).toMatchObject({ kind: 'complete' });

    const cutoff = Date.now() + 1;
    await sleep(5);
    await f.serve(pipelineContext(t, chat('Who founded the company?')), answer('Ada'));
    expect(await f.writer.purge(t, { before: new Date(cutoff).toISOString() })).toBe(1); // the opening-hours entry
    expect(await f.stage.run(pipelineContext(t, chat('Who founded the company?')))).toMatchObject({ kind: 'complete' });
    expect(await f.stage.run(pipelineContext(t, chat('What are the opening hours?')))).toEqual({ kind: 'continue' });
  });

  test('purge of one tenant leaves other tenants alone', async () => {
    const a = fresh();
    const b = fresh();
    await f.serve(pipelineContext(a, chat('What is the SLA?')), answer('99.9'));
    await f.serve(pipelineContext(b, chat('What is the SLA?')), answer('99.99'));
    expect(await f.writer.purge(a)).toBe(1);
    expect(await f.stage.run(pipelineContext(b, chat('What is the SLA?')))).toMatchObject({ kind: 'complete', response: { content: '99.99' } });
  });
});
