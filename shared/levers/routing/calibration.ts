/**
 * RouteLLM-style calibration: the training script stores the score quantiles
 * of reference traffic, so "send x% to the frontier tier" becomes a lookup of
 * the (1 − x) quantile instead of a guessed threshold.
 */
export class Calibration {
  constructor(private readonly quantiles: readonly number[]) {
    if (quantiles.length < 2) throw new Error('calibration needs at least two quantiles');
  }

  /** Score at cumulative fraction p of the reference traffic, interpolated between stored quantiles. */
  quantile(p: number): number {
    const q = this.quantiles;
    const pos = Math.min(1, Math.max(0, p)) * (q.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(q.length - 1, lo + 1);
    return q[lo] + (q[hi] - q[lo]) * (pos - lo);
  }

  /**
   * Lowest score that lands in the top `share` of reference traffic. A
   * share of 0 gives +Infinity (nothing qualifies), 1 gives −Infinity.
   */
  thresholdForShare(share: number): number {
    if (share <= 0) return Number.POSITIVE_INFINITY;
    if (share >= 1) return Number.NEGATIVE_INFINITY;
    return this.quantile(1 - share);
  }

  /** Fraction of reference traffic scoring at or above `score` (for reasons and dashboards). */
  shareAtOrAbove(score: number): number {
    const q = this.quantiles;
    if (score <= q[0]) return 1;
    if (score > q[q.length - 1]) return 0;
    let lo = 0;
    let hi = q.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (q[mid] < score) lo = mid;
      else hi = mid;
    }
    const frac = q[hi] === q[lo] ? 0 : (score - q[lo]) / (q[hi] - q[lo]);
    return 1 - (lo + frac) / (q.length - 1);
  }
}

/** Quantiles at 0, 1/(n−1), …, 1 of a set of scores (linear interpolation, like numpy's default). */
export function computeQuantiles(scores: readonly number[], points = 1001): number[] {
  if (!scores.length) throw new Error('no scores to calibrate on');
  const sorted = [...scores].sort((a, b) => a - b);
  const out: number[] = [];
  for (let i = 0; i < points; i++) {
    const pos = (i / (points - 1)) * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(sorted.length - 1, lo + 1);
    out.push(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo));
  }
  return out;
}
