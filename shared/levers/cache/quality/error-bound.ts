/**
 * The verified cache's error bound. Checked semantic hits are Bernoulli
 * trials (disagree = a false hit); the scope's false-hit rate is estimated
 * with a Wilson score interval, and the threshold moves so the interval's
 * upper end stays below the user's bound (PARSIMONY_CACHE_MAX_ERROR):
 * tightened at once past the score of a hit that failed its check, relaxed
 * a small step only while the upper bound is below the target (vCache, ICLR
 * 2026, does the same per entry with a learned sigmoid; a scope has more
 * checks to learn from than one entry).
 */
export interface ErrorBoundConfig {
  /** Highest acceptable false-hit rate of served semantic hits; default 0.02. */
  maxError: number;
  /** z of the one-sided confidence level of the bound; default 1.645 (95 %). */
  z: number;
  /** How far above a failed hit's score the threshold jumps; default 0.02. */
  tightenStep: number;
  /** How much one agreeing check lowers the threshold, once the bound allows it; default 0.002. */
  relaxStep: number;
  /** The threshold never goes further than this below the configured one; default 0.1. */
  maxRelax: number;
}

export const DEFAULT_ERROR_BOUND: ErrorBoundConfig = { maxError: 0.02, z: 1.645, tightenStep: 0.02, relaxStep: 0.002, maxRelax: 0.1 };

/** Wilson score interval for k failures in n trials (0..1 each end); [0, 1] for n = 0. */
export function wilsonInterval(k: number, n: number, z: number): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface ScopeCheckState {
  checked: number;
  disagreed: number;
  threshold: number;
}

/**
 * The scope's next threshold after one check of a hit served at `score`.
 * `configured`: the threshold the tenant / task / verifier would use without checks.
 */
export function nextThreshold(state: ScopeCheckState, agree: boolean, score: number, configured: number, c: ErrorBoundConfig): number {
  const ceiling = 0.999;
  const floor = Math.max(0, configured - c.maxRelax);
  if (!agree) return Math.min(ceiling, Math.max(state.threshold, score + c.tightenStep));
  const { high } = wilsonInterval(state.disagreed, state.checked, c.z);
  if (high >= c.maxError) return state.threshold;
  return Math.max(floor, state.threshold - c.relaxStep);
}

/** Checks needed with no disagreement before the bound first allows relaxing (for docs and reports). */
export function checksBeforeRelaxing(c: ErrorBoundConfig): number {
  let n = 1;
  while (wilsonInterval(0, n, c.z).high >= c.maxError && n < 1e6) n++;
  return n;
}
