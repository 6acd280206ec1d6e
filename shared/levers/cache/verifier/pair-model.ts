import { z } from 'zod';
import { boostedMargin, compiledMargin, type BoostedModel, type CompiledTrees } from './boosted-trees';

const TreeSchema = z.object({ feature: z.array(z.number().int()), cut: z.array(z.number()), value: z.array(z.number()) });

/**
 * The learned verifier's weights, trained by `npm run cache:train-verifier`
 * on the dev pairs only and shipped as JSON next to this file, one file per
 * embedder fingerprint (the cosine feature means something different for
 * every embedder). Version 1: a logistic regression over standardised pair
 * features (see pair-features.ts). Version 2 adds boosted shallow trees
 * (`trees`; with regression weights too, the score averages the two margins)
 * and a second threshold for statement pairs; a version-1 file still loads
 * and scores as before.
 */
export const PairModelSchema = z.object({
  version: z.union([z.literal(1), z.literal(2)]),
  /** Embedder fingerprint the model was trained with. */
  embedder: z.string(),
  /** Feature names, in the order of mean/std/weights and of the trees' feature indices (a subset of FEATURE_NAMES). */
  features: z.array(z.string()).min(1),
  /** The logistic regression (empty weights: none). */
  mean: z.array(z.number()),
  std: z.array(z.number()),
  weights: z.array(z.number()),
  bias: z.number(),
  /** Version 2: boosted trees (see boosted-trees.ts), their starting margin and the shrinkage of every leaf value. */
  trees: z.array(TreeSchema).optional(),
  trees_bias: z.number().optional(),
  rate: z.number().positive().optional(),
  /** Probability at or above which a candidate is served (chosen by grouped CV for the target precision on the hard pairs). */
  threshold: z.number().min(0).max(1),
  /**
   * Version 2: the same for statement pairs (neither text a question), chosen by grouped CV on the statement rows
   * (plain paraphrases against their one-edit negatives). A statement pair's score is shifted so that this threshold
   * lands on `threshold`: one threshold (configured or adapted per scope) then serves both forms.
   */
  statement_threshold: z.number().gt(0).lt(1).optional(),
  /** What it was trained on and the grouped-CV figures (informational). */
  trained: z.record(z.string(), z.unknown()).optional(),
});
export type PairModel = z.infer<typeof PairModelSchema>;

/** The model's trees as a BoostedModel (undefined for a regression-only model). */
export function treesOf(model: PairModel): BoostedModel | undefined {
  return model.trees ? { bias: model.trees_bias ?? 0, rate: model.rate ?? 1, trees: model.trees } : undefined;
}

const logit = (p: number) => Math.log(p / (1 - p));

/**
 * Probability that the two texts ask the same thing. `features` is in FEATURE_NAMES order; `index` maps model
 * features to it. `statement`: neither text is a question (shifted onto the question pairs' scale, see above).
 */
export function scorePair(model: PairModel, features: Float64Array, index: readonly number[], statement = false, compiled?: CompiledTrees): number {
  let linear = model.bias;
  for (let i = 0; i < model.weights.length; i++) linear += model.weights[i] * ((features[index[i]] - model.mean[i]) / model.std[i]);
  let z = linear;
  if (model.trees) {
    const trees = compiled ? compiledMargin(compiled, features) : boostedMargin(treesOf(model)!, features, index);
    z = model.weights.length ? (linear + trees) / 2 : trees;
  }
  if (statement && model.statement_threshold !== undefined && model.threshold > 0 && model.threshold < 1) z += logit(model.threshold) - logit(model.statement_threshold);
  return 1 / (1 + Math.exp(-z));
}

/**
 * L2-regularised logistic regression by Newton's method (a few dozen
 * features: the Hessian is tiny). Rows are standardised here; returns the
 * model parts. `weights` per row lets small data sets count for more.
 */
export function fitLogistic(rows: Float64Array[], labels: number[], rowWeights: number[], l2 = 1): { mean: number[]; std: number[]; weights: number[]; bias: number } {
  const d = rows[0].length;
  const n = rows.length;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j] / n;
  for (const r of rows) for (let j = 0; j < d; j++) std[j] += (r[j] - mean[j]) ** 2 / n;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]) || 1;
  const x = rows.map((r) => {
    const out = new Float64Array(d + 1);
    for (let j = 0; j < d; j++) out[j] = (r[j] - mean[j]) / std[j];
    out[d] = 1;
    return out;
  });
  const w = new Float64Array(d + 1);
  for (let iter = 0; iter < 30; iter++) {
    const grad = new Float64Array(d + 1);
    const hess = Array.from({ length: d + 1 }, () => new Float64Array(d + 1));
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let j = 0; j <= d; j++) z += w[j] * x[i][j];
      const p = 1 / (1 + Math.exp(-z));
      const g = (p - labels[i]) * rowWeights[i];
      const h = p * (1 - p) * rowWeights[i];
      for (let j = 0; j <= d; j++) {
        grad[j] += g * x[i][j];
        const hx = h * x[i][j];
        for (let k = j; k <= d; k++) hess[j][k] += hx * x[i][k];
      }
    }
    for (let j = 0; j <= d; j++) for (let k = 0; k < j; k++) hess[j][k] = hess[k][j];
    for (let j = 0; j < d; j++) {
      grad[j] += l2 * w[j];
      hess[j][j] += l2;
    }
    hess[d][d] += 1e-6;
    const step = solve(hess, grad);
    let moved = 0;
    for (let j = 0; j <= d; j++) {
      w[j] -= step[j];
      moved = Math.max(moved, Math.abs(step[j]));
    }
    if (moved < 1e-7) break;
  }
  return { mean, std, weights: Array.from(w.subarray(0, d)), bias: w[d] };
}

/** Solves A x = b by Gaussian elimination with partial pivoting (A is small and positive definite). */
function solve(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const m = a.map((row, i) => {
    const r = new Float64Array(n + 1);
    r.set(row);
    r[n] = b[i];
    return r;
  });
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const piv = m[c][c] || 1e-12;
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / piv;
      if (f !== 0) for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const out = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * out[k];
    out[r] = s / (m[r][r] || 1e-12);
  }
  return out;
}
