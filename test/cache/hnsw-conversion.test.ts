import { randomUUID } from 'node:crypto';
import { EmbeddedVectorStore } from '../../shared/levers/cache/stores/embedded-vector-store';
import type { PartitionTuning } from '../../shared/levers/cache/stores/embedded-partition';
import type { VectorMatch } from '../../shared/levers/cache/stores/vector-store';
import { tempDir } from './cache-test-helpers';
import { signedXorshift as rng } from '../../scripts/bench/common/stats';

// A partition turning into an HNSW index must not hold the event loop: the index is built a slice per turn while
// the exact scan answers. buildSliceMs 0 = one point per turn, so the build spans many turns on any machine.
const DIMS = 16;
const THRESHOLD = 200;
const TENANT = 't';
const SCOPE = 's';

/** The entries the store should hold, searched by brute force: what an exact scan must return. */
class Reference {
  readonly vectors = new Map<string, Float32Array>();
  constructor(private readonly r: () => number) {}

  vector(): Float32Array {
    const v = Float32Array.from({ length: DIMS }, () => this.r());
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  }

  search(q: Float32Array, limit: number, minSimilarity: number): { id: string; similarity: number }[] {
    return [...this.vectors]
      .map(([id, v]) => ({ id, similarity: v.reduce((s, x, d) => s + x * q[d], 0) }))
      .filter((m) => m.similarity >= minSimilarity)
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, limit);
  }
}

const expiresAt = Date.now() + 3_600_000;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const plain = (ms: VectorMatch[]) => ms.map((m) => ({ id: m.id, similarity: Math.fround(m.similarity) }));

function setup(tuning: Partial<PartitionTuning>, dir?: string) {
  const ref = new Reference(rng(7));
  const store = new EmbeddedVectorStore({ dims: DIMS, dir, autosaveMs: 0, tuning: { hnswThreshold: THRESHOLD, buildSliceMs: 0, ...tuning } });
  const put = (id: string = randomUUID(), vector = ref.vector()) => {
    ref.vectors.set(id, vector);
    store.upsertSync({ id, vector, tenant: TENANT, scope: SCOPE, expiresAt });
    return id;
  };
  const search = (s: EmbeddedVectorStore, q: Float32Array, limit = 5) => plain(s.searchSync({ vector: q, tenant: TENANT, scope: SCOPE, now: Date.now(), limit, minSimilarity: -1 }));
  const exact = (q: Float32Array, limit = 5) => ref.search(q, limit, -1).map((m) => ({ id: m.id, similarity: Math.fround(m.similarity) }));
  return { ref, store, put, search, exact };
}

/** Every live entry is found by its own vector, with the similarity of its current vector; deleted ones never. */
function expectIndexHolds(s: EmbeddedVectorStore, ref: Reference, search: ReturnType<typeof setup>['search']): void {
  for (const [id, v] of ref.vectors) {
    const res = search(s, v);
    expect(res[0].id).toBe(id);
    for (const m of res) {
      const current = ref.vectors.get(m.id);
      expect(current).toBeDefined();
      expect(m.similarity).toBeCloseTo(
        current!.reduce((acc, x, d) => acc + x * v[d], 0),
        4,
      );
    }
  }
}

describe('a partition moving to an HNSW index', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  test('is built across event-loop turns, and searches meanwhile are the exact scan', async () => {
    // A deliberately poor graph: had the partition switched to it at once, its answers would differ from exact.
    const { ref, store, put, search, exact } = setup({ m: 2, efConstruction: 2, efSearch: 1 });
    for (let i = 0; i <= THRESHOLD; i++) put();
    const order: string[] = [];
    const converted = store.idle().then(() => order.push('converted'));
    setImmediate(() => order.push('immediate'));
    setTimeout(() => order.push('timeout'), 0);
    const queries = Array.from({ length: 40 }, () => ref.vector());
    for (const q of queries) {
      expect(search(store, q)).toEqual(exact(q));
      await turn();
    }
    await converted;
    expect(order.indexOf('immediate')).toBeLessThan(order.indexOf('converted'));
    expect(order.indexOf('timeout')).toBeLessThan(order.indexOf('converted'));
    await store.close();
  });

  test('a bulk load that never yields finishes the build at once instead of scanning an ever larger backlog', async () => {
    const { ref, store, put, search } = setup({});
    for (let i = 0; i <= 3 * THRESHOLD + 1; i++) put();
    const order: string[] = [];
    setImmediate(() => order.push('immediate'));
    await store.idle().then(() => order.push('converted'));
    expect(order).toEqual(['converted']);
    expectIndexHolds(store, ref, search);
    await store.close();
  });

  test('writes during the build end up in the index; a snapshot taken mid-build reloads exactly', async () => {
    const dir = `${tmp.dir}/${randomUUID()}`;
    const { ref, store, put, search, exact } = setup({}, dir);
    await store.init();
    const ids = Array.from({ length: THRESHOLD + 1 }, () => put());
    const r = rng(11);
    const pick = () => [...ref.vectors.keys()][Math.floor(((r() + 1) / 2) * ref.vectors.size)];
    // One point per turn: the build needs more than THRESHOLD turns, so all of this happens while it runs, with
    // labels both behind its cursor (≈ step) and ahead of it.
    for (let step = 0; step < THRESHOLD * 0.75; step++) {
      if (step % 3 === 0) put(pick(), ref.vector());
      if (step % 4 === 1) {
        for (const gone of [ids[step >> 1], ids[THRESHOLD - step], pick()]) if (ref.vectors.delete(gone)) await store.delete(TENANT, [gone]);
      }
      if (step % 5 === 2) put();
      const q = ref.vector();
      expect(search(store, q)).toEqual(exact(q));
      if (step === THRESHOLD / 2) {
        store.flush();
        const mid = new EmbeddedVectorStore({ dims: DIMS, dir, autosaveMs: 0, tuning: { hnswThreshold: 10 * THRESHOLD } });
        await mid.init();
        expect(await mid.count()).toBe(ref.vectors.size);
        for (let i = 0; i < 20; i++) {
          const mq = ref.vector();
          expect(search(mid, mq)).toEqual(exact(mq));
        }
        await mid.close();
      }
      await turn();
    }
    await store.idle();
    expect(await store.count()).toBe(ref.vectors.size);
    expectIndexHolds(store, ref, search);
    // The switch marked the snapshot dirty: closing writes the index file, and a reload answers from it.
    await store.close();
    const again = new EmbeddedVectorStore({ dims: DIMS, dir, autosaveMs: 0, tuning: { hnswThreshold: THRESHOLD } });
    await again.init();
    expect(await again.count()).toBe(ref.vectors.size);
    expectIndexHolds(again, ref, search);
    const late = randomUUID();
    const v = ref.vector();
    again.upsertSync({ id: late, vector: v, tenant: TENANT, scope: SCOPE, expiresAt });
    expect(search(again, v, 1)[0].id).toBe(late);
    await again.close();
  });
});
