import { EntryRepository } from '../../shared/levers/cache/entry-repository';
import type { CacheEntry } from '../../shared/levers/cache/cache-entry';
import { answer, testRedis } from './cache-test-helpers';

const r = testRedis('repo');
afterAll(() => r.cleanup());
const repo = new EntryRepository(r.redis, r.prefix);

function entry(id: string, tenant: string, text: string): CacheEntry {
  const now = Date.now();
  return {
    id,
    tenant,
    scope: 's'.repeat(64),
    request_hash: `${id}`.padEnd(64, 'h'),
    text,
    semantic: true,
    tier: 'mid',
    tags: [],
    response: answer(`answer to ${text}`),
    created_at: now,
    expires_at: now + 60_000,
    job_id: `job-${id}`,
  };
}

describe('EntryRepository.getMetas (semantic candidates in one command)', () => {
  test('metas in the order asked, null where an entry is gone or another tenant’s, and the first one’s response', async () => {
    await repo.put(entry('a', 't1', 'first question'), { replaceExact: false });
    await repo.put(entry('b', 't1', 'second question'), { replaceExact: false });
    await repo.put(entry('c', 't2', 'other tenant'), { replaceExact: false });
    const { metas, first } = await repo.getMetas('t1', ['a', 'gone', 'b', 'c']);
    expect(metas.map((m) => m?.text ?? null)).toEqual(['first question', null, 'second question', null]);
    expect(first?.content).toBe('answer to first question');
    expect(metas[0]).not.toHaveProperty('response');
  });

  test('no response when the first candidate is gone; nothing asked, nothing read', async () => {
    const gone = await repo.getMetas('t1', ['gone', 'a']);
    expect(gone.metas.map((m) => m?.id ?? null)).toEqual([null, 'a']);
    expect(gone.first).toBeNull();
    expect(await repo.getMetas('t1', [])).toEqual({ metas: [], first: null });
  });
});
