/**
 * npx tsx scripts/cache/scale.ts [--sizes 10000,100000,1000000] [--queries 2000]
 *
 * Bench (not a test): for each size, in a fresh child process, fills one
 * (tenant, scope) partition of the embedded store with N synthetic 100-d
 * vectors (clustered, like real questions) — the worst case, since a
 * partition that large uses the HNSW index — then measures
 *  - raw index lookups (p50/p99, top-4),
 *  - the whole cache stage (exact-tier GET, embedding, index search, entry
 *    fetch, verifier, scope threshold) with real texts whose entries live in Redis beside the N
 *    synthetic ones,
 *  - memory per entry (RSS growth / N) and snapshot bytes per entry.
 * Prints one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from '../../shared/levers/cache/calibration';
import { EmbeddedVectorStore } from '../../shared/levers/cache/stores/embedded-vector-store';
import { arg, PairHarness, readPairs } from './pair-harness';
import { signedXorshift as rng } from '../bench/common/stats';

const DIMS = 100;

function syntheticVector(r: () => number, centres: Float32Array[]): Float32Array {
  const c = centres[Math.floor(((r() + 1) / 2) * centres.length) % centres.length];
  const v = new Float32Array(DIMS);
  let n = 0;
  for (let d = 0; d < DIMS; d++) {
    v[d] = c[d] + 0.35 * r();
    n += v[d] * v[d];
  }
  n = Math.sqrt(n);
  for (let d = 0; d < DIMS; d++) v[d] /= n;
  return v;
}

async function one(size: number, queries: number): Promise<Record<string, number>> {
  const r = rng(12345);
  const centres = Array.from({ length: 512 }, () => Float32Array.from({ length: DIMS }, () => r()));
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const store = new EmbeddedVectorStore({ dims: DIMS });
  await store.init();
  const now = Date.now();
  const t0 = performance.now();
  for (let i = 0; i < size; i++) store.upsertSync({ id: randomUUID(), vector: syntheticVector(r, centres), tenant: 'bench', scope: 'scope', expiresAt: now + 3_600_000 });
  const buildMs = performance.now() - t0;
  global.gc?.();
  const bytesPerEntry = (process.memoryUsage().rss - rssBefore) / size;

  const raw: number[] = [];
  for (let q = 0; q < queries; q++) {
    const v = syntheticVector(r, centres);
    const t = performance.now();
    store.searchSync({ vector: v, tenant: 'bench', scope: 'scope', now, limit: 4, minSimilarity: 0 });
    raw.push(performance.now() - t);
  }

  // The whole stage, through the same harness the eval uses, with this store.
  const dir = mkdtempSync(join(tmpdir(), 'parsimony-scale-'));
  const snap = new EmbeddedVectorStore({ dims: DIMS, dir, autosaveMs: 0 });
  let snapshotBytes = 0;
  if (size <= 100_000) {
    // Snapshot size measured on a copy for the smaller sizes only (writing 1M is slow and says the same per entry).
    await snap.init();
    for (let i = 0; i < size; i++) snap.upsertSync({ id: randomUUID(), vector: syntheticVector(r, centres), tenant: 'bench', scope: 'scope', expiresAt: now + 3_600_000 });
    await snap.close();
    snapshotBytes = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
  }
  rmSync(dir, { recursive: true, force: true });

  const harness = new PairHarness({ store, tenant: () => 'bench' });
  await harness.init();
  const pairs = readPairs(arg('pairs', '/work/shared/data/cache-pairs-dev.jsonl')!).slice(0, 2000);
  const stage: number[] = [];
  try {
    for (let i = 0; i < pairs.length; i++) await harness.storeA(i, pairs[i]);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < pairs.length; i++) {
        const { ms } = await harness.lookupB(i, pairs[i]);
        if (round === 1) stage.push(ms);
      }
    }
  } finally {
    await harness.close();
  }
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    entries: size,
    build_s: r3(buildMs / 1000),
    index_p50_ms: r3(percentile(raw, 50)),
    index_p99_ms: r3(percentile(raw, 99)),
    stage_p50_ms: r3(percentile(stage, 50)),
    stage_p99_ms: r3(percentile(stage, 99)),
    rss_bytes_per_entry: Math.round(bytesPerEntry),
    snapshot_bytes_per_entry: snapshotBytes ? Math.round(snapshotBytes / size) : -1,
  };
}

async function main(): Promise<void> {
  const queries = Number(arg('queries', '2000'));
  const single = arg('one');
  if (single) {
    process.stdout.write(`${JSON.stringify(await one(Number(single), queries))}\n`);
    return;
  }
  const sizes = (arg('sizes', '10000,100000,1000000') ?? '').split(',').map(Number);
  const results = [];
  for (const size of sizes) {
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, '--one', String(size), '--queries', String(queries)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (child.status !== 0) throw new Error(`size ${size} failed: ${child.stderr}`);
    results.push(JSON.parse(child.stdout.trim().split('\n').pop()!));
  }
  process.stdout.write(`${JSON.stringify({ dims: DIMS, store: 'embedded (hnswlib, M=16, efConstruction=100, ef=64)', results })}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
