import { OodDetector, sphericalKMeans } from '../../shared/levers/routing/ood';
import { qualityCurveFrom } from '../../shared/levers/routing/quality-target';
import type { WeightsFile } from '../../shared/levers/routing/weights-file';
import type { ReplayRow } from './datasets';
import { rawScore } from './lodo';
import type { ReplayOutcome } from './metrics';
import { packWeights, trainWeights, weightsFile, type PreparedRow, type TrainConfig } from './training';

/**
 * Everything in a weights file that is chosen on held-out data, computed the
 * same way for the shipped weights (train.ts) and for each fold of the
 * leave-one-domain-out evaluation (eval.ts):
 * - the quality curve (quality target → frontier share) from held-out scores;
 * - the out-of-distribution threshold: the cosine to the nearest training
 *   centroid at which held-out in-distribution prompts fire at OOD_FIRE_RATE,
 *   on each pool (MMLU domains left out; task examples 5-fold), the lower of the two.
 */
export const OOD_CENTROIDS = 48;
export const OOD_FIRE_RATE = 0.02;

export interface HeldOut {
  outcomes: (ReplayOutcome & { domain: string; similarity?: number })[];
  /** Nearest-centroid cosine of held-out rows, by pool. */
  similarities: { mmlu: number[]; tasks: number[] };
}

export function centroidsOf(rows: PreparedRow[]): number[][] {
  const vecs = rows.map((r) => r.vec!).filter(Boolean);
  return sphericalKMeans(vecs, OOD_CENTROIDS).map((c) => Array.from(c, (x) => Math.round(x * 1e4) / 1e4));
}

function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.floor(p * s.length)))] : -1;
}

export function oodThreshold(sims: HeldOut['similarities']): number {
  const parts = [sims.mmlu, sims.tasks].filter((s) => s.length);
  return Math.round(Math.min(...parts.map((s) => quantile(s, OOD_FIRE_RATE))) * 1e4) / 1e4;
}

/**
 * Held-out pass: MMLU scores and similarities per left-out domain, and the
 * task rows' similarities 5-fold (task rows train every MMLU fold; their own
 * held-out similarity needs centroids without them).
 */
export function heldOutPass(
  mmlu: ReplayRow[],
  preparedMmlu: PreparedRow[],
  tasks: PreparedRow[],
  config: TrainConfig,
  onFold?: (domain: string, theta: Float32Array, centroids?: number[][]) => void,
): HeldOut {
  const withVec = !!preparedMmlu[0]?.vec;
  const held: HeldOut = { outcomes: [], similarities: { mmlu: [], tasks: [] } };
  const domains = [...new Set(preparedMmlu.map((r) => r.group!))].sort();
  for (const domain of domains) {
    const train = preparedMmlu.filter((r) => r.group !== domain);
    const testIdx = preparedMmlu.flatMap((r, i) => (r.group === domain ? [i] : []));
    const theta = trainWeights(train.concat(tasks), config);
    const centroids = withVec ? centroidsOf(train.concat(tasks)) : undefined;
    const ood = centroids && new OodDetector(centroids, 0, 0);
    for (const i of testIdx) {
      const similarity = ood?.similarity(preparedMmlu[i].vec!);
      held.outcomes.push({ score: rawScore(theta, preparedMmlu[i], config.bits, config.denseScale), weak: mmlu[i].weak_correct, strong: mmlu[i].strong_correct, domain, similarity });
      if (similarity !== undefined) held.similarities.mmlu.push(similarity);
    }
    onFold?.(domain, theta, centroids);
  }
  if (withVec) {
    for (let fold = 0; fold < 5; fold++) {
      const ood = new OodDetector(centroidsOf(preparedMmlu.concat(tasks.filter((_, i) => i % 5 !== fold))), 0, 0);
      tasks.forEach((r, i) => i % 5 === fold && held.similarities.tasks.push(ood.similarity(r.vec!)));
    }
  }
  return held;
}

/** A weights file from trained weights plus the held-out choices. */
export function assemble(
  theta: Float32Array,
  config: TrainConfig,
  reference: PreparedRow[],
  held: Pick<HeldOut, 'outcomes'> & { similarities?: HeldOut['similarities'] },
  parts: { encoder?: string; trainRows: PreparedRow[]; centroids?: number[][]; minWeight?: number; header?: Partial<WeightsFile['header']>; reference?: string },
): WeightsFile {
  const vecs = parts.trainRows.map((r) => r.vec).filter((v): v is Float32Array => !!v);
  const packed = packWeights(
    theta,
    config.bits,
    reference,
    parts.minWeight,
    1e-3,
    parts.encoder && vecs.length ? { encoder: parts.encoder, trainVectors: vecs, denseScale: config.denseScale } : undefined,
  );
  const file = weightsFile(packed, parts.header, parts.reference);
  if (held.outcomes.length) file.quality_curve = { source: `leave-one-domain-out held-out scores of ${held.outcomes.length} replay rows`, ...qualityCurveFrom(held.outcomes) };
  if (parts.centroids && parts.encoder && held.similarities?.mmlu.length) {
    file.ood = { encoder: parts.encoder, centroids: parts.centroids, threshold: oodThreshold(held.similarities), fire_rate: OOD_FIRE_RATE };
  }
  return file;
}
