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
  ) {}

  static fromFile(file: WeightsFile): LinearModel {
    if (file.header.feature_version !== FEATURE_VERSION) {
      throw new Error(`router weights were trained for feature version ${file.header.feature_version}, code has ${FEATURE_VERSION}: run npm run route:train`);
    }
    const weights = new Float32Array(2 ** file.bits);
    const positions = weightPositions(file);
    for (let i = 0; i < positions.length; i++) weights[positions[i]] = file.w[i] * file.scale;
    return new LinearModel(file.bits, weights);
  }

  /** A model straight from trained weights (the training script scores with this). */
  static fromArray(bits: number, weights: Float32Array | number[]): LinearModel {
    return new LinearModel(bits, weights instanceof Float32Array ? weights : Float32Array.from(weights));
  }

  score(summary: RequestSummary): ModelScore {
    const { z, format } = linearScore(summary, this.bits, this.weights);
    return { score: 1 / (1 + Math.exp(-z)), format };
  }
}
