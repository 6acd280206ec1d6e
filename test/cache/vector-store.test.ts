import { randomUUID } from 'node:crypto';
import { EmbeddedVectorStore } from '../../shared/levers/cache/stores/embedded-vector-store';
import { QdrantVectorStore } from '../../shared/levers/cache/stores/qdrant-vector-store';
import { collectionName } from '../../shared/levers/cache/stores/vector-store';
import { tempDir } from './cache-test-helpers';
import { unit, vectorStoreContract } from './vector-store-contract';

describe('embedded store contract (in memory, exact scan)', () => {
  vectorStoreContract(async () => {
    const s = new EmbeddedVectorStore({ dims: 8 });
    await s.init();
    return s;
  });
});

describe('embedded store contract (HNSW partitions, persisted)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());
  vectorStoreContract(async () => {
    const s = new EmbeddedVectorStore({ dims: 8, dir: `${tmp.dir}/${randomUUID()}`, autosaveMs: 0, tuning: { hnswThreshold: 1 } });
    await s.init();
    return s;
  });
});

const qdrantUrl = process.env.QDRANT_URL;
(qdrantUrl ? describe : describe.skip)(`qdrant store contract${qdrantUrl ? '' : ' (skipped: QDRANT_URL not set)'}`, () => {
  const made: string[] = [];
  vectorStoreContract(async () => {
    const collection = collectionName(`test_${randomUUID().slice(0, 8)}`, 'contract-8d');
    made.push(collection);
    const s = new QdrantVectorStore({ url: qdrantUrl!, collection, dims: 8 });
    await s.init();
    return s;
  });
});

describe('embedded store persistence', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  test.each([
    ['exact-scan partitions', 10_000],
    ['HNSW partitions', 4],
  ])('entries survive a restart (%s), deletions too', async (_, hnswThreshold) => {
    const dir = `${tmp.dir}/${randomUUID()}`;
    const now = Date.now();
    const first = new EmbeddedVectorStore({ dims: 8, dir, autosaveMs: 0, tuning: { hnswThreshold } });
    await first.init();
    const ids = Array.from({ length: 20 }, () => randomUUID());
    await first.upsert(ids.map((id, i) => ({ id, vector: unit(i % 8, 0.01 * i), tenant: i % 2 ? 'a' : 'b', scope: 's', expiresAt: now + 60_000, createdAt: now, requestHash: 'h' })));
    await first.delete('a', [ids[1]]);
    await first.close();

    const second = new EmbeddedVectorStore({ dims: 8, dir, autosaveMs: 0, tuning: { hnswThreshold } });
    await second.init();
    expect(await second.count()).toBe(19);
    const res = await second.search({ vector: unit(3, 0.03), tenant: 'a', scope: 's', now, limit: 1, minSimilarity: 0.99 });
    expect(res.map((m) => m.id)).toEqual([ids[3]]);
    const nearDeleted = await second.search({ vector: unit(1, 0.01), tenant: 'a', scope: 's', now, limit: 5, minSimilarity: 0.9 });
    expect(nearDeleted.map((m) => m.id)).not.toContain(ids[1]);
    expect(nearDeleted.map((m) => m.id)).toContain(ids[9]);
    // And it keeps working after the reload: inserts reuse deleted slots.
    const late = randomUUID();
    await second.upsert([{ id: late, vector: unit(7, 0.5), tenant: 'a', scope: 's', expiresAt: now + 60_000, createdAt: now, requestHash: 'h' }]);
    expect((await second.search({ vector: unit(7, 0.5), tenant: 'a', scope: 's', now, limit: 1, minSimilarity: 0.99 }))[0].id).toBe(late);
    await second.close();
  });

  test('a snapshot of another dimension is refused, not mixed', async () => {
    const dir = `${tmp.dir}/${randomUUID()}`;
    const s = new EmbeddedVectorStore({ dims: 8, dir, autosaveMs: 0 });
    await s.init();
    await s.upsert([{ id: randomUUID(), vector: unit(0), tenant: 'a', scope: 's', expiresAt: Date.now() + 1000, createdAt: Date.now(), requestHash: 'h' }]);
    await s.close();
    await expect(new EmbeddedVectorStore({ dims: 16, dir, autosaveMs: 0 }).init()).rejects.toThrow(/8-d/);
  });

  test('the collection name carries the embedder fingerprint', () => {
    expect(collectionName('parsimony', 'wink-sg-100d-sif1-100d')).toBe('parsimony_cache_wink-sg-100d-sif1-100d');
    expect(collectionName('parsimony', 'text-embedding-3-small-1536d')).not.toBe(collectionName('parsimony', 'text-embedding-3-small-512d'));
  });
});
