import { thresholdForPrecision } from '../../shared/levers/cache/calibration';
import { boostedMargin, fitBoosted, type BoostedOptions } from '../../shared/levers/cache/verifier/boosted-trees';
import { fitLogistic } from '../../shared/levers/cache/verifier/pair-model';
import type { PairKind } from './verifier-data';

/** Rows of the verifier's training set: full feature vectors, labels, kinds, grouped folds, row weights. */
export interface TrainingSet {
  x: Float64Array[];
  y: number[];
  kind: PairKind[];
  fold: number[];
  weight: number[];
  folds: number;
  /** Neither text is a question (see isStatementPair): served at the statement threshold when one is chosen. */
  statement: boolean[];
  /** Choose a second threshold for statement pairs (on the statement rows of every kind); default false. */
  statementThreshold?: boolean;
}

export interface CvResult {
  hard: { precision: number | null; recall: number; hits: number; false_hits: number; auc: number; precision_at_recall: Record<string, number> };
  /** `statements`: the rows where neither text is a question (served at the statement threshold when there is one). */
  plain: { hit_rate: number; pairs: number; statements: { hit_rate: number; pairs: number } };
  plain_negative: { false_hit_rate: number; pairs: number; statements: { false_hit_rate: number; pairs: number } };
  /** Threshold chosen inside each outer fold (inner CV), then applied to the held-out fold. */
  thresholds: number[];
  /** The statement pairs' threshold per outer fold, when the set asks for one. */
  statement_thresholds?: number[];
  /** Out-of-fold probability per row. */
  oof: number[];
}

const pick = (x: Float64Array, idx: readonly number[]) => Float64Array.from(idx, (i) => x[i]);

/** Which model the verifier fits: the logistic regression (`l2`), boosted shallow trees, or both blended (margins averaged). */
export type Learner = { kind: 'logistic'; l2: number } | ({ kind: 'boosted' | 'blend'; l2?: number } & BoostedOptions);

/** Fits the learner on rows (features already picked) and returns its probability function. */
export function fitLearner(learner: Learner, rows: Float64Array[], labels: number[], weights: number[]): (x: Float64Array) => number {
  const trees = learner.kind === 'logistic' ? undefined : fitBoosted(rows, labels, weights, learner);
  const linear = learner.kind === 'boosted' ? undefined : fitLogistic(rows, labels, weights, learner.l2 ?? 1);
  const linearMargin = (x: Float64Array) => {
    let z = linear!.bias;
    for (let j = 0; j < x.length; j++) z += linear!.weights[j] * ((x[j] - linear!.mean[j]) / linear!.std[j]);
    return z;
  };
  // A blend averages the two margins (the regression's steadier top end, the trees' interactions).
  const margin = (x: Float64Array) => (trees && linear ? (boostedMargin(trees, x) + linearMargin(x)) / 2 : trees ? boostedMargin(trees, x) : linearMargin(x));
  return (x) => 1 / (1 + Math.exp(-margin(x)));
}

function fitPredict(set: TrainingSet, train: number[], test: number[], idx: readonly number[], learner: Learner): number[] {
  const predict = fitLearner(
    learner,
    train.map((i) => pick(set.x[i], idx)),
    train.map((i) => set.y[i]),
    train.map((i) => set.weight[i]),
  );
  return test.map((i) => predict(pick(set.x[i], idx)));
}

/** The serving threshold for a target precision on the hard pairs among `rows`, from their scores. */
export function chooseThreshold(set: TrainingSet, rows: number[], scores: number[], target: number): number {
  const labelled = rows
    .map((r, k) => ({ r, s: scores[k] }))
    .filter(({ r }) => set.kind[r] === 'hard')
    .map(({ r, s }) => ({ score: s, same: set.y[r] === 1 }));
  return thresholdForPrecision(labelled, target)?.threshold ?? 1;
}

/**
 * The statement pairs' threshold for the same target precision, on the statement rows among `rows` (the plain
 * paraphrases against their one-edit negatives, and the few hard pairs that are statements). The hard pairs are
 * nearly all questions, so their threshold says little about a restated sentence. Null when too few rows reach it.
 */
export function chooseStatementThreshold(set: TrainingSet, rows: number[], scores: number[], target: number): number | null {
  const labelled = rows
    .map((r, k) => ({ r, s: scores[k] }))
    .filter(({ r }) => set.statement[r])
    .map(({ r, s }) => ({ score: s, same: set.y[r] === 1 }));
  return thresholdForPrecision(labelled, target)?.threshold ?? null;
}

/**
 * Nested grouped CV: for each outer fold, the threshold comes from an inner
 * grouped CV on the other folds only; the model fit on the other folds scores
 * the held-out fold, whose pairs never share a question with training.
 */
export function crossValidate(set: TrainingSet, idx: readonly number[], target: number, learner: Learner = { kind: 'logistic', l2: 1 }): CvResult {
  const n = set.y.length;
  const oof = new Array<number>(n).fill(0);
  const served = new Array<boolean>(n).fill(false);
  const thresholds: number[] = [];
  const statementThresholds: number[] = [];
  for (let k = 0; k < set.folds; k++) {
    const train = [...Array(n).keys()].filter((i) => set.fold[i] !== k);
    const test = [...Array(n).keys()].filter((i) => set.fold[i] === k);
    const innerScores = new Array<number>(train.length);
    for (let j = 0; j < set.folds; j++) {
      if (j === k) continue;
      const itrain = train.filter((i) => set.fold[i] !== j);
      const itest = train.map((i, pos) => [i, pos] as const).filter(([i]) => set.fold[i] === j);
      const s = fitPredict(
        set,
        itrain,
        itest.map(([i]) => i),
        idx,
        learner,
      );
      itest.forEach(([, pos], q) => (innerScores[pos] = s[q]));
    }
    const t = chooseThreshold(set, train, innerScores, target);
    thresholds.push(t);
    const ts = set.statementThreshold ? (chooseStatementThreshold(set, train, innerScores, target) ?? t) : t;
    statementThresholds.push(ts);
    const s = fitPredict(set, train, test, idx, learner);
    test.forEach((i, q) => {
      oof[i] = s[q];
      served[i] = s[q] >= (set.statement[i] ? ts : t);
    });
  }
  const rowsOf = (kind: PairKind) => [...Array(n).keys()].filter((i) => set.kind[i] === kind);
  const hard = rowsOf('hard');
  const hits = hard.filter((i) => served[i]);
  const trueHits = hits.filter((i) => set.y[i] === 1).length;
  const positives = hard.filter((i) => set.y[i] === 1).length;
  const plain = rowsOf('plain');
  const neg = rowsOf('plain_negative');
  const r4 = (x: number) => Math.round(x * 10000) / 10000;
  const plainStatements = plain.filter((i) => set.statement[i]);
  const negStatements = neg.filter((i) => set.statement[i]);
  const rate = <K extends string>(rows: number[], key: K) =>
    ({ [key]: r4(rows.filter((i) => served[i]).length / Math.max(1, rows.length)), pairs: rows.length }) as Record<K, number> & { pairs: number };
  return {
    hard: {
      precision: hits.length ? r4(trueHits / hits.length) : null,
      recall: r4(trueHits / positives),
      hits: hits.length,
      false_hits: hits.length - trueHits,
      auc: r4(
        auc(
          hard.map((i) => oof[i]),
          hard.map((i) => set.y[i]),
        ),
      ),
      precision_at_recall: precisionAtRecall(
        hard.map((i) => oof[i]),
        hard.map((i) => set.y[i]),
      ),
    },
    plain: { ...rate(plain, 'hit_rate'), statements: rate(plainStatements, 'hit_rate') },
    plain_negative: { ...rate(neg, 'false_hit_rate'), statements: rate(negStatements, 'false_hit_rate') },
    thresholds: thresholds.map(r4),
    statement_thresholds: set.statementThreshold ? statementThresholds.map(r4) : undefined,
    oof,
  };
}

/** Area under the ROC curve (ties count half). */
export function auc(scores: number[], labels: number[]): number {
  const order = scores.map((s, i) => [s, labels[i]] as const).sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  let pos = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j][0] === order[i][0]) j++;
    const avgRank = (i + j + 1) / 2;
    for (let k = i; k < j; k++)
      if (order[k][1] === 1) {
        rankSum += avgRank;
        pos++;
      }
    i = j;
  }
  const neg = order.length - pos;
  return pos && neg ? (rankSum - (pos * (pos + 1)) / 2) / (pos * neg) : 0.5;
}

/** Precision of the out-of-fold scores at a few recall levels (how far the ranking is from the target). */
export function precisionAtRecall(scores: number[], labels: number[], levels = [0.05, 0.1, 0.2, 0.3, 0.5]): Record<string, number> {
  const order = scores.map((s, i) => [s, labels[i]] as const).sort((a, b) => b[0] - a[0]);
  const positives = labels.filter((l) => l === 1).length;
  const out: Record<string, number> = {};
  let tp = 0;
  let li = 0;
  for (let i = 0; i < order.length && li < levels.length; i++) {
    if (order[i][1] === 1) tp++;
    if (tp >= levels[li] * positives) {
      out[String(levels[li])] = Math.round((tp / (i + 1)) * 10000) / 10000;
      li++;
    }
  }
  return out;
}
