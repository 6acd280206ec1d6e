import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const DataSourceSchema = z
  .object({
    path: z.string(),
    rows: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    use: z.string(),
    licence: z.string().optional(),
  })
  .strict();

const QuantilesSchema = z
  .array(z.number().min(0).max(1))
  .min(11)
  .refine((q) => q.every((v, i) => i === 0 || v >= q[i - 1]), 'quantiles must be non-decreasing');

export const WeightsFileSchema = z
  .object({
    header: z
      .object({
        name: z.literal('parsimony-complexity-router'),
        format: z.literal(1),
        feature_version: z.number().int().positive(),
        created: z.string(),
        script: z.string(),
        command: z.string(),
        label: z.string(),
        data: z.array(DataSourceSchema).min(1),
        validation_domains: z.array(z.string()),
        training: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
        metrics: z.record(z.string(), z.unknown()),
      })
      .strict(),
    /** Hash space is 2^bits weights. */
    bits: z.number().int().min(10).max(22),
    /** Weights are stored as integers; real weight = int * scale. */
    scale: z.number().positive(),
    /** Non-zero weight positions, delta-encoded to keep the file small: position k = gaps[0] + … + gaps[k]. */
    gaps: z.array(z.number().int().nonnegative()),
    w: z.array(z.number().int()),
    /**
     * Weights over a sentence embedding of the work asked for (sentence-encoder.ts), added to the hashed
     * logit. `mean` is the training rows' mean embedding: a router without the encoder (or with another
     * one) adds the dense part at the mean, i.e. a constant, so its scores stay on the same scale.
     */
    dense: z
      .object({ encoder: z.string().min(1), dims: z.number().int().positive(), w: z.array(z.number()), mean: z.array(z.number()) })
      .strict()
      .refine((d) => d.w.length === d.dims && d.mean.length === d.dims, 'dense.w and dense.mean need dims entries')
      .optional(),
    /**
     * Distance to the training distribution (ood.ts): unit centroids of the training rows' embeddings, and
     * the cosine to the nearest centroid below which a prompt is out of distribution, chosen by
     * leave-one-domain-out so that held-out in-distribution prompts fire at `fire_rate`.
     */
    ood: z
      .object({ encoder: z.string().min(1), centroids: z.array(z.array(z.number())).min(1), threshold: z.number().min(-1).max(1), fire_rate: z.number().min(0).max(1) })
      .strict()
      .optional(),
    /**
     * Quality-target curve (quality-target.ts), measured leave-one-domain-out: routed accuracy over
     * all-frontier accuracy when the top `shares[i]` of traffic by score goes to the frontier.
     */
    quality_curve: z
      .object({ source: z.string(), shares: z.array(z.number().min(0).max(1)).min(2), quality: z.array(z.number().min(0)).min(2) })
      .strict()
      .refine((c) => c.shares.length === c.quality.length, 'shares and quality need the same length')
      .optional(),
    calibration: z
      .object({
        /** What traffic the quantiles describe. */
        reference: z.string(),
        rows: z.number().int().positive(),
        /** Score quantiles at 0%, 1%, …, 100% of the reference traffic. */
        quantiles: QuantilesSchema,
      })
      .strict(),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.gaps.length !== f.w.length) ctx.addIssue({ code: 'custom', path: ['w'], message: 'gaps and w must have the same length' });
    const total = f.gaps.reduce((a, b) => a + b, 0);
    if (total >= 2 ** f.bits) ctx.addIssue({ code: 'custom', path: ['gaps'], message: `index out of range for bits=${f.bits}` });
  });

export type WeightsFile = z.infer<typeof WeightsFileSchema>;

/** Decodes the delta-encoded positions. */
export function weightPositions(file: Pick<WeightsFile, 'gaps'>): number[] {
  const out: number[] = new Array(file.gaps.length);
  let at = 0;
  for (let k = 0; k < file.gaps.length; k++) out[k] = at += file.gaps[k];
  return out;
}

/** Delta-encodes ascending positions. */
export function encodeGaps(positions: readonly number[]): number[] {
  return positions.map((p, k) => (k === 0 ? p : p - positions[k - 1]));
}

/** The weights file shipped next to this module. */
export const DEFAULT_WEIGHTS_PATH = join(__dirname, 'weights.json');

/** Reads and validates a weights file; throws with a readable message when it is malformed. */
export function loadWeightsFile(path: string = DEFAULT_WEIGHTS_PATH): WeightsFile {
  return parseWeightsFile(JSON.parse(readFileSync(path, 'utf8')), path);
}

export function parseWeightsFile(raw: unknown, origin = 'weights'): WeightsFile {
  const parsed = WeightsFileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`router weights ${origin} are invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
