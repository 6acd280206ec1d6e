import type { ReplayRow } from './datasets';
import { requestFromPrompt } from './datasets';
import type { ReplayOutcome } from './metrics';
import { mmluTarget, prepareRows, trainWeights, type LabelledRequest, type PreparedRow, type TrainConfig } from './training';
import type { SentenceEncoder } from '../../shared/levers/routing/sentence-encoder';

/**
 * Leave-one-domain-out: for every MMLU domain, train on the other domains
 * (plus the task pools, which hold no MMLU domain) and score the held-out
 * domain. Model and threshold choices are made on these held-out scores only,
 * never on a random split: a domain the router never saw is what production
 * traffic looks like.
 */
export interface LodoFold {
  domain: string;
  theta: Float32Array;
  train: PreparedRow[];
  test: PreparedRow[];
  testRows: ReplayRow[];
}

export interface LodoOutcome extends ReplayOutcome {
  domain: string;
}

export function prepareMmlu(rows: ReplayRow[], config: TrainConfig, encoder?: SentenceEncoder): PreparedRow[] {
  return prepareRows(
    rows.map((r) => ({ request: requestFromPrompt(r.prompt), y: mmluTarget(config.label, r.weak_correct, r.strong_correct), pool: 'mmlu' as const, group: r.domain ?? 'unknown' })),
    config.bits,
    encoder,
  );
}

/** Runs the folds one at a time (each fold's weights are dropped after `onFold`, so memory stays flat). */
export function runLodo(
  mmlu: ReplayRow[],
  preparedMmlu: PreparedRow[],
  extras: PreparedRow[],
  config: TrainConfig,
  onFold: (fold: LodoFold) => void,
  domains = [...new Set(mmlu.map((r) => r.domain ?? 'unknown'))].sort(),
): void {
  for (const domain of domains) {
    const train: PreparedRow[] = [];
    const test: PreparedRow[] = [];
    const testRows: ReplayRow[] = [];
    preparedMmlu.forEach((p, i) => {
      if (p.group === domain) {
        test.push(p);
        testRows.push(mmlu[i]);
      } else train.push(p);
    });
    const theta = trainWeights(train.concat(extras), config);
    onFold({ domain, theta, train, test, testRows });
  }
}

/** Raw logit of a prepared row under unpacked weights (hashed part + dense part). */
export function rawScore(theta: Float32Array, row: PreparedRow, bits: number, denseScale: number): number {
  let z = 0;
  for (let k = 0; k < row.idx.length; k++) z += theta[row.idx[k]] * row.val[k];
  if (row.vec && theta.length > 2 ** bits) {
    const base = 2 ** bits;
    for (let i = 0; i < row.vec.length; i++) z += theta[base + i] * row.vec[i] * denseScale;
  }
  return 1 / (1 + Math.exp(-z));
}

export type { LabelledRequest };
