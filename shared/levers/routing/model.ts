import { FEATURE_VERSION, linearScore, type PromptFormat } from './features';
import type { RequestSummary } from './request-summary';
import { weightPositions, type WeightsFile } from './weights-file';

export interface ModelScore {
  /** Probability-like difficulty in [0, 1]: higher = the weak model is more likely to fail. */
  score: number;
  format: PromptFormat;
}

/**
 * Inference for the hashed logistic-regression router: one sparse dot
 * product over a Float32Array, no allocation beyond the feature lists.
 */
export class LinearModel {
  private constructor(
    readonly bits: number,
    private readonly weights: Float32Array,
    private readonly dense?: DenseWeights,
  ) {}

  static fromFile(file: WeightsFile): LinearModel {
    if (file.header.feature_version !== FEATURE_VERSION) {
      throw new Error(`router weights were trained for feature version ${file.header.feature_version}, code has ${FEATURE_VERSION}: run npm run route:train`);
    }
    const weights = new Float32Array(2 ** file.bits);
    const positions = weightPositions(file);
    for (let i = 0; i < positions.length; i++) weights[positions[i]] = file.w[i] * file.scale;
    const dense = file.dense && { encoder: file.dense.encoder, w: Float32Array.from(file.dense.w), atMean: dotArrays(file.dense.w, file.dense.mean) };
    return new LinearModel(file.bits, weights, dense);
  }

  /** A model straight from trained weights (the training script scores with this). */
  static fromArray(bits: number, weights: Float32Array | number[], dense?: DenseWeights): LinearModel {
    return new LinearModel(bits, weights instanceof Float32Array ? weights : Float32Array.from(weights), dense);
  }

  /** The encoder fingerprint the dense part was trained with, if the model has one. */
  get denseEncoder(): string | undefined {
    return this.dense?.encoder;
  }

  /**
   * `embedding`: the request's sentence embedding from the encoder the weights were trained with;
   * without it the dense part counts at the training mean (a constant).
   */
  score(summary: RequestSummary, embedding?: Float32Array): ModelScore {
    const linear = linearScore(summary, this.bits, this.weights);
    let z = linear.z;
    const format = linear.format;
    if (this.dense) z += embedding && embedding.length === this.dense.w.length ? dotArrays(this.dense.w, embedding) : this.dense.atMean;
    return { score: 1 / (1 + Math.exp(-z)), format };
  }
}

export interface DenseWeights {
  encoder: string;
  w: Float32Array;
  /** The dense logit at the training mean embedding. */
  atMean: number;
}

function dotArrays(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
