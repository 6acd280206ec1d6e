import { computeQuantiles } from '../../shared/levers/routing/calibration';
import { extractFeatures, FEATURE_VERSION } from '../../shared/levers/routing/features';
import { LinearModel } from '../../shared/levers/routing/model';
import { encodeGaps, type WeightsFile } from '../../shared/levers/routing/weights-file';
import { summarizeRequest } from '../../shared/levers/routing/request-summary';
import type { ChatRequest } from '../../shared/core/chat-model';
import { encoderText, type SentenceEncoder } from '../../shared/levers/routing/sentence-encoder';
import { fitLogistic, type Example } from './logistic';

/** How MMLU rows become targets. RouteLLM trains on "weak fails where strong succeeds". */
export type MmluLabel = 'weak_wrong' | 'gain' | 'soft_gain' | 'soft_gain_domain';

export interface TrainConfig {
  bits: number;
  /** L2 on structural features (lengths, layout, cue families, phrases). */
  l2Struct: number;
  /** L2 on hashed word unigrams/bigrams, which tend to memorise domains. */
  l2Tokens: number;
  /** Extra factor on the per-format (mc/open) copies of each feature. */
  blockFactor: number;
  label: MmluLabel;
  /** Total weight of the task examples relative to the MMLU rows (1 = same total). */
  taskWeight: number;
  maxIter: number;
  /** Whether the score has a dense part over the sentence embedding (rows must carry embeddings). */
  dense: boolean;
  /** L2 on the sentence-embedding weights. */
  l2Dense: number;
  /** Embedding values are multiplied by this before fitting (unit vectors have small components). */
  denseScale: number;
}

export const DEFAULT_CONFIG: TrainConfig = {
  bits: 18,
  l2Struct: 1e-3,
  // 3e-4 (1e-3 before), chosen by domain-grouped CV (scripts/routing/lodo-sweep.ts --folds 6, pooled held-out APGR):
  // 1e-2 0.556, 1e-3 0.575, 3e-4 0.580. Stronger penalties on the n-grams lose more than they stop memorising.
  // Note: trainWeights starts every bucket at l2Tokens and gives a structural bucket min(current, l2Struct), so
  // the structural penalty is in effect min(l2Tokens, l2Struct) = 3e-4 here (l2Struct 1e-2 measured the same
  // as 1e-3 for that reason); the figures above are for that behaviour.
  l2Tokens: 3e-4,
  blockFactor: 1,
  label: 'soft_gain',
  taskWeight: 0.5,
  // 150 L-BFGS iterations (300 before): half the time for the 29 fits of route:train; LODO APGR 0.583 at 150.
  maxIter: 150,
  // Off by leave-one-domain-out: with the embedded word vectors the dense part learns topics, which do not
  // transfer (pooled held-out APGR 0.531 with it, 0.583 without; README).
  dense: false,
  l2Dense: 1e-3,
  denseScale: 4,
};

export interface LabelledRequest {
  request: ChatRequest;
  y: number;
  /** Which pool the row comes from; weights are balanced per pool. */
  pool: 'mmlu' | 'tasks';
  /** Grouping key for cross-validation (MMLU domain, task file). */
  group?: string;
}

export function mmluTarget(label: MmluLabel, weak: boolean, strong: boolean): number {
  if (label === 'weak_wrong') return weak ? 0 : 1;
  if (label === 'gain') return !weak && strong ? 1 : 0;
  // soft_gain_domain starts from soft_gain; recipe.ts centres it per domain (needs the domain's rows).
  return (1 + (strong ? 1 : 0) - (weak ? 1 : 0)) / 2;
}

const isTokenFeature = (name: string) => /(^|\|)(u|b):/.test(name);

/** A row with its features extracted once (cross-validation refits on subsets many times). */
export interface PreparedRow extends LabelledRequest {
  idx: number[];
  val: number[];
  names: string[];
  /** Sentence embedding of the work asked for, when an encoder is used. */
  vec?: Float32Array;
}

export function prepareRows(rows: LabelledRequest[], bits: number, encoder?: SentenceEncoder): PreparedRow[] {
  return rows.map((r) => {
    const summary = summarizeRequest(r.request);
    const f = extractFeatures(summary, bits, true);
    return { ...r, idx: f.idx, val: f.val, names: f.names!, vec: encoder?.embedSync(encoderText(summary)) };
  });
}

/** Hashed weights (2^bits) followed, when rows carry embeddings, by one weight per embedding dimension. */
export function trainWeights(input: LabelledRequest[] | PreparedRow[], config: TrainConfig, encoder?: SentenceEncoder): Float32Array {
  const rows: PreparedRow[] = input.length && 'idx' in input[0] ? (input as PreparedRow[]) : prepareRows(input, config.bits, encoder);
  const hashed = 2 ** config.bits;
  const dims = config.dense ? (rows[0]?.vec?.length ?? 0) : 0;
  const dim = hashed + dims;
  const l2 = new Float64Array(dim).fill(config.l2Tokens);
  for (let j = hashed; j < dim; j++) l2[j] = config.l2Dense;
  const structural = new Set<number>();
  const pools = { mmlu: rows.filter((r) => r.pool === 'mmlu').length, tasks: rows.filter((r) => r.pool === 'tasks').length };
  const data: Example[] = rows.map((r) => {
    r.names.forEach((name, k) => {
      const block = name.includes('|');
      const base = isTokenFeature(name) ? config.l2Tokens : config.l2Struct;
      const strength = block ? base * config.blockFactor : base;
      if (!isTokenFeature(name)) structural.add(r.idx[k]);
      // A bucket shared by a structural feature and tokens keeps the weaker penalty.
      l2[r.idx[k]] = structural.has(r.idx[k]) ? Math.min(l2[r.idx[k]], strength) : strength;
    });
    const weight = r.pool === 'mmlu' ? 1 : pools.tasks ? (config.taskWeight * pools.mmlu) / pools.tasks : 0;
    const idx = dims && r.vec ? r.idx.concat(Array.from({ length: dims }, (_, i) => hashed + i)) : r.idx;
    const val = dims && r.vec ? r.val.concat(Array.from(r.vec, (x) => x * config.denseScale)) : r.val;
    return { idx, val, y: r.y, weight: pools.mmlu ? weight : 1 };
  });
  const theta = fitLogistic(data, { dim, l2, maxIter: config.maxIter });
  return Float32Array.from(theta);
}

export interface Packed {
  bits: number;
  scale: number;
  gaps: number[];
  w: number[];
  quantiles: number[];
  referenceRows: number;
  dense?: WeightsFile['dense'];
}

/** Everything a weights file holds beyond the hashed weights, for packing. */
export interface DenseParts {
  encoder: string;
  /** Training rows' embeddings (their mean is the dense part's fallback). */
  trainVectors: Float32Array[];
  denseScale: number;
}

/**
 * Quantises weights to integers (dropping those below `minWeight`, which
 * keeps the JSON small) and computes the score quantiles of the reference
 * rows with the quantised model, so calibration matches inference. Weights
 * past 2^bits are the dense (embedding) part, kept as rounded floats.
 */
export function packWeights(theta: Float32Array, bits: number, reference: PreparedRow[], minWeight = 2e-3, scale = 1e-3, dense?: DenseParts): Packed {
  const hashed = 2 ** bits;
  const minInt = Math.max(1, Math.round(minWeight / scale));
  const idx: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < hashed; i++) {
    const q = Math.round(theta[i] / scale);
    if (Math.abs(q) >= minInt) {
      idx.push(i);
      w.push(q);
    }
  }
  const quantised = new Float32Array(hashed);
  idx.forEach((i, k) => (quantised[i] = w[k] * scale));
  let denseFile: WeightsFile['dense'];
  if (dense && theta.length > hashed) {
    const dims = theta.length - hashed;
    const mean = new Array<number>(dims).fill(0);
    for (const v of dense.trainVectors) for (let d = 0; d < dims; d++) mean[d] += v[d] / dense.trainVectors.length;
    denseFile = {
      encoder: dense.encoder,
      dims,
      w: Array.from(theta.subarray(hashed), (x) => Math.round(x * dense.denseScale * 1e5) / 1e5),
      mean: mean.map((x) => Math.round(x * 1e5) / 1e5),
    };
  }
  const model = LinearModel.fromArray(bits, quantised, denseFile && { encoder: denseFile.encoder, w: Float32Array.from(denseFile.w), atMean: 0 });
  const scores = reference.map((r) => model.score(summarizeRequest(r.request), r.vec).score);
  return { bits, scale, gaps: encodeGaps(idx), w, quantiles: computeQuantiles(scores).map((q) => Math.round(q * 1e6) / 1e6), referenceRows: scores.length, dense: denseFile };
}

/** A weights file around packed weights; train.ts fills the header, experiments use the placeholder. */
export function weightsFile(packed: Packed, header: Partial<WeightsFile['header']> = {}, reference = 'experiment'): WeightsFile {
  return {
    header: {
      name: 'parsimony-complexity-router',
      format: 1,
      feature_version: FEATURE_VERSION,
      created: new Date().toISOString().slice(0, 10),
      script: 'scripts/routing/train.ts',
      command: 'experiment',
      label: 'experiment',
      data: [{ path: 'experiment', rows: 0, sha256: '0'.repeat(64), use: 'experiment' }],
      validation_domains: [],
      training: {},
      metrics: {},
      ...header,
    },
    bits: packed.bits,
    scale: packed.scale,
    gaps: packed.gaps,
    w: packed.w,
    ...(packed.dense ? { dense: packed.dense } : {}),
    calibration: { reference, rows: Math.max(1, packed.referenceRows), quantiles: packed.quantiles },
  };
}
