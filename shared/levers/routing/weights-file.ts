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
