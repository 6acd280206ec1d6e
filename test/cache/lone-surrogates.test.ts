import { CacheKeys } from '../../shared/levers/cache/cache-keys';
import { keyPart, sha256OfUserString } from '../../shared/platform/redis/key-part';
import { cacheFixture } from './cache-stage-fixture';
import { answer, chat, pipelineContext, testRedis } from './cache-test-helpers';

const r = testRedis('surrogates');
afterAll(() => r.cleanup());

describe('user strings with lone surrogates in Redis keys', () => {
  const odd = ['\ud800', '\udfff', 'a\ud800b', '\ud800\ud800', '\udc00\ud800', '%uD800', '%ED%A0%80', '\ud83d\udca9', '\ufffd', 'plain tag', 'a:b'];

  test('keyPart never throws, keeps distinct inputs distinct, and never emits a ":"', () => {
    const parts = odd.map(keyPart);
    expect(new Set(parts).size).toBe(odd.length);
    for (const p of parts) expect(p).not.toMatch(/[:\s]/);
    // Well-formed strings keep the encoding they always had (existing keys stay valid).
    expect(keyPart('plain tag')).toBe(encodeURIComponent('plain tag'));
    expect(keyPart('\ud83d\udca9')).toBe(encodeURIComponent('\ud83d\udca9'));
  });

  test('sha256OfUserString does not fold lone surrogates into U+FFFD', () => {
    const hashes = odd.map(sha256OfUserString);
    expect(new Set(hashes).size).toBe(odd.length);
  });

  test('every cache key builder accepts them', () => {
    const k = new CacheKeys('p');
    for (const s of odd) {
      expect(() => [k.entry(s, 'id'), k.exact(s, 'h'), k.created(s), k.scope(s, s), k.tag(s, s), k.flightLock(s, 'h'), k.flightResult(s, 'h'), k.vector(s)]).not.toThrow();
    }
    expect(k.tag('t', '\ud800')).not.toBe(k.tag('t', '\ud801'));
  });

  test('an entry tagged with a lone surrogate is stored and purged by that tag only', async () => {
    const f = cacheFixture(r.redis, r.prefix);
    const tenant = 'tenant-\ud800';
    const tagged = pipelineContext(tenant, chat('What is the boiling point of water?'), { metadata: { cache_tags: ['\ud800'] } });
    await f.serve(tagged, answer('100 °C at sea level'));
    const other = pipelineContext(tenant, chat('Who wrote Hamlet?'), { metadata: { cache_tags: ['\ud801'] } });
    await f.serve(other, answer('Shakespeare'));
    expect(await f.writer.purge(tenant, { tag: '\udbff' })).toBe(0);
    expect(await f.writer.purge(tenant, { tag: '\ud800' })).toBe(1);
    expect(await f.stage.run(pipelineContext(tenant, chat('Who wrote Hamlet?')))).toMatchObject({ kind: 'complete' });
    expect(await f.stage.run(pipelineContext(tenant, chat('What is the boiling point of water?')))).toEqual({ kind: 'continue' });
  });
});
