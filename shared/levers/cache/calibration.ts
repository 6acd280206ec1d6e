/**
 * Threshold calibration from labelled pairs. Each pair contributes the
 * similarity at which the cache would have served it (guards already applied;
 * null when no threshold would serve it) and whether the two texts mean the
 * same. Used by `npm run cache:calibrate` and the eval.
 */
export interface LabelledScore {
  /** Similarity of a guard-passing candidate, or null (never served). */
  score: number | null;
  same: boolean;
}

export interface CurvePoint {
  threshold: number;
  hits: number;
  precision: number;
  recall: number;
}

/** Precision/recall at every distinct score (served when score >= threshold), highest threshold first. */
export function precisionRecallCurve(scores: LabelledScore[]): CurvePoint[] {
  const positives = scores.filter((s) => s.same).length;
  const ranked = scores.filter((s) => s.score !== null).sort((a, b) => b.score! - a.score!);
  const out: CurvePoint[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < ranked.length; i++) {
    if (ranked[i].same) tp++;
    else fp++;
    if (i + 1 < ranked.length && ranked[i + 1].score === ranked[i].score) continue;
    out.push({ threshold: ranked[i].score!, hits: tp + fp, precision: tp / (tp + fp), recall: positives ? tp / positives : 0 });
  }
  return out;
}

/**
 * The threshold with the highest recall whose precision (over everything it
 * would serve) is >= target, among points serving at least `minHits` pairs
 * (fewer is too noisy to trust). Null when no such threshold exists.
 */
export function thresholdForPrecision(scores: LabelledScore[], target: number, minHits = 20): CurvePoint | null {
  let best: CurvePoint | null = null;
  for (const p of precisionRecallCurve(scores)) {
    if (p.precision >= target && p.hits >= minHits && (!best || p.recall > best.recall)) best = p;
  }
  return best;
}

/** A readable curve: the point nearest to each threshold step. */
export function sampleCurve(curve: CurvePoint[], steps = [0.99, 0.98, 0.97, 0.96, 0.95, 0.94, 0.93, 0.92, 0.9, 0.88, 0.85, 0.8, 0.75, 0.7]): CurvePoint[] {
  return steps.map((t) => {
    const p = [...curve].reverse().find((c) => c.threshold >= t);
    return p ? { ...p, threshold: t } : { threshold: t, hits: 0, precision: 1, recall: 0 };
  });
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Deterministic half split of a pair by content hash: "calib" or "eval". */
export function splitOf(a: string, b: string): 'calib' | 'eval' {
  let h = 2166136261 ^ 1;
  const s = `${a}\u0000${b}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) % 2 === 0 ? 'calib' : 'eval';
}
