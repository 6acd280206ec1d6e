import { randomUUID } from 'node:crypto';
import type { VectorPoint, VectorStore } from '../../shared/levers/cache/stores/vector-store';

const DIMS = 8;

/** A unit vector near axis `axis`, tilted by `tilt` towards axis+1. */
export function unit(axis: number, tilt = 0): Float32Array {
  const v = new Float32Array(DIMS);
  v[axis % DIMS] = Math.cos(tilt);
  v[(axis + 1) % DIMS] = Math.sin(tilt);
  return v;
}

function point(p: Partial<VectorPoint> & { vector: Float32Array }): VectorPoint {
  const now = Date.now();
  return { id: randomUUID(), tenant: 't1', scope: 's1', expiresAt: now + 60_000, createdAt: now, requestHash: 'h'.repeat(64), ...p };
}

/**
 * The behaviour every VectorStore must have. `make` returns a fresh, empty,
 * initialised store of DIMS dimensions (unique collection / directory).
 */
export function vectorStoreContract(make: () => Promise<VectorStore>): void {
  let store: VectorStore;
  beforeEach(async () => {
    store = await make();
  });
  afterEach(async () => {
    await store.close();
  });
  const query = (vector: Float32Array, extra: Partial<{ tenant: string; scope: string; now: number; limit: number; minSimilarity: number }> = {}) =>
    store.search({ vector, tenant: 't1', scope: 's1', now: Date.now(), limit: 5, minSimilarity: 0, ...extra });

  test('returns the nearest neighbours best first, with cosine similarity', async () => {
    const near = point({ vector: unit(0, 0.1) });
    const far = point({ vector: unit(0, 0.6) });
    const other = point({ vector: unit(3) });
    await store.upsert([far, near, other]);
    const res = await query(unit(0));
    expect(res.map((m) => m.id).slice(0, 2)).toEqual([near.id, far.id]);
    expect(res[0].similarity).toBeCloseTo(Math.cos(0.1), 3);
  });

  test('minSimilarity and limit are honoured', async () => {
    await store.upsert([point({ vector: unit(0, 0.05) }), point({ vector: unit(0, 0.1) }), point({ vector: unit(0, 1.2) })]);
    expect(await query(unit(0), { minSimilarity: 0.9 })).toHaveLength(2);
    expect(await query(unit(0), { limit: 1 })).toHaveLength(1);
  });

  test('tenant and scope are hard partitions', async () => {
    const mine = point({ vector: unit(1) });
    await store.upsert([mine, point({ vector: unit(1), tenant: 't2' }), point({ vector: unit(1), scope: 's2' })]);
    const res = await query(unit(1));
    expect(res.map((m) => m.id)).toEqual([mine.id]);
    expect(await query(unit(1), { tenant: 't3' })).toEqual([]);
  });

  test('expired entries are never returned, and deleteExpired removes them', async () => {
    const now = Date.now();
    const live = point({ vector: unit(2), expiresAt: now + 60_000 });
    const dead = point({ vector: unit(2, 0.01), expiresAt: now - 1 });
    await store.upsert([live, dead]);
    expect((await query(unit(2), { now })).map((m) => m.id)).toEqual([live.id]);
    await store.deleteExpired(now);
    expect((await query(unit(2), { now: now - 1000 })).map((m) => m.id)).toEqual([live.id]);
  });

  test('upsert replaces by id; delete removes only the tenant’s own ids', async () => {
    const p = point({ vector: unit(4) });
    await store.upsert([p]);
    await store.upsert([{ ...p, vector: unit(5) }]);
    expect(await query(unit(4), { minSimilarity: 0.9 })).toEqual([]);
    expect((await query(unit(5))).map((m) => m.id)).toEqual([p.id]);
    await store.delete('someone-else', [p.id]);
    expect(await query(unit(5))).toHaveLength(1);
    await store.delete('t1', [p.id]);
    expect(await query(unit(5))).toEqual([]);
    expect(await store.count()).toBe(0);
  });
}
