/** Small statistics helpers shared by the benchmarks (no dependencies). */

/** The p-th percentile (0–100) of `values` by nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Median of `values` (mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return Number.NaN;
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Rounds to `digits` decimals; non-finite values become null (JSON-safe). */
export function round(value: number, digits = 3): number | null {
  if (!Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Median of each numeric field over repeated runs of the same shape: the
 * figure a noisy shared machine can be trusted for. Non-numeric fields are
 * taken from the first run.
 */
export function medianOf<T extends Record<string, unknown>>(runs: readonly T[]): T {
  if (!runs.length) throw new Error('medianOf needs at least one run');
  const out: Record<string, unknown> = { ...runs[0] };
  for (const key of Object.keys(runs[0])) {
    if (typeof runs[0][key] === 'number' || runs[0][key] === null) {
      const m = median(runs.map((r) => r[key] as number).filter((v) => typeof v === 'number'));
      out[key] = Number.isFinite(m) ? round(m, 4) : null;
    }
  }
  return out as T;
}

/** Seeded PRNG (mulberry32): the workloads are reproducible from their seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of a copy, driven by `rand`. */
export function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Xorshift32 from `seed`, uniform in [-1, 1): the synthetic vectors of the cache scale and conversion benches. */
export function signedXorshift(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) / 4294967296) * 2 - 1;
  };
}
