import type Redis from 'ioredis';
import { z } from 'zod';
import { ApiError } from '../../core/errors/api-error';
import { estimateTokens } from '../context/token-estimate';
import { sha256Hex } from './prompt-hash';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');

/** The JSON line `npm run prompt:regress` prints; required to approve a variant. */
export const RegressionReportSchema = z
  .object({
    cases: z.number().int().positive(),
    original_sha256: Sha256,
    compressed_sha256: Sha256,
    model: z.string(),
    /** Share of cases whose answers agree (exact, JSON-equal, or similarity ≥ threshold). */
    agreement: z.number().min(0).max(1),
    exact: z.number().min(0).max(1),
    json_equal: z.number().min(0).max(1).nullable(),
    similarity: z.number().min(0).max(1),
    tokens: z.object({ original: z.number().int().nonnegative(), compressed: z.number().int().nonnegative(), saved: z.number().int(), saved_pct: z.number() }).passthrough(),
  })
  .passthrough();
export type RegressionReport = z.infer<typeof RegressionReportSchema>;

/** Body of `POST /v1/prompts`: the original (text or hash), the compressed text, and its regression report. */
export const RegisterVariantBodySchema = z
  .object({
    original: z.string().min(1).optional(),
    original_sha256: Sha256.optional(),
    compressed: z.string().min(1),
    regression_report: RegressionReportSchema,
  })
  .strict()
  .refine((b) => b.original !== undefined || b.original_sha256 !== undefined, { message: 'give original or original_sha256' })
  .refine((b) => b.original === undefined || b.original_sha256 === undefined || sha256Hex(b.original) === b.original_sha256, {
    message: 'original_sha256 is not the SHA-256 of original',
    path: ['original_sha256'],
  });
export type RegisterVariantBody = z.infer<typeof RegisterVariantBodySchema>;

export interface ApprovedVariant {
  original_sha256: string;
  compressed_sha256: string;
  compressed: string;
  regression_report: RegressionReport;
  /** Measured on the regression run (provider-reported prompt tokens over all cases). */
  measured_saved_tokens: number;
  measured_saved_pct: number;
  /** Estimated tokens saved per request by the substitution (original is unknown when only its hash was given). */
  compressed_tokens: number;
  created_at: string;
}

export interface VariantRegistryOptions {
  /** Key prefix, e.g. "parsimony:"; variants live in the hash `${prefix}prompts:${tenant}`. */
  keyPrefix: string;
  /** Lowest regression agreement accepted; default 0.95. */
  minAgreement?: number;
}

/**
 * Approved compressed prompt variants per tenant. A variant is registered
 * only with a regression report that matches both texts (by SHA-256) and
 * reaches `minAgreement`; at run time the compression stage substitutes it
 * for a system prompt whose SHA-256 matches exactly, for that tenant only.
 */
export class VariantRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly options: VariantRegistryOptions,
  ) {}

  private key(tenant: string): string {
    return `${this.options.keyPrefix}prompts:${tenant}`;
  }

  /** Validates and stores a variant (replacing one for the same original). Throws ApiError 400 when not approvable. */
  async registerVariant(tenant: string, input: { original_sha256: string; compressed: string; regression_report: RegressionReport }): Promise<ApprovedVariant> {
    const report = RegressionReportSchema.parse(input.regression_report);
    const compressedSha = sha256Hex(input.compressed);
    if (report.original_sha256 !== input.original_sha256) throw ApiError.invalid('regression_report.original_sha256 does not match the original prompt');
    if (report.compressed_sha256 !== compressedSha) throw ApiError.invalid('regression_report.compressed_sha256 does not match the compressed prompt');
    const min = this.options.minAgreement ?? 0.95;
    if (report.agreement < min) throw ApiError.invalid(`regression agreement ${report.agreement} is below the required ${min}`);
    if (input.original_sha256 === compressedSha) throw ApiError.invalid('the compressed prompt is identical to the original');
    const variant: ApprovedVariant = {
      original_sha256: input.original_sha256,
      compressed_sha256: compressedSha,
      compressed: input.compressed,
      regression_report: report,
      measured_saved_tokens: report.tokens.saved,
      measured_saved_pct: report.tokens.saved_pct,
      compressed_tokens: estimateTokens(input.compressed),
      created_at: new Date().toISOString(),
    };
    await this.redis.hset(this.key(tenant), input.original_sha256, JSON.stringify(variant));
    return variant;
  }

  /** From a validated POST body (see RegisterVariantBodySchema). */
  async registerFromBody(tenant: string, body: RegisterVariantBody): Promise<ApprovedVariant> {
    const originalSha = body.original_sha256 ?? sha256Hex(body.original!);
    return this.registerVariant(tenant, { original_sha256: originalSha, compressed: body.compressed, regression_report: body.regression_report });
  }

  async listVariants(tenant: string): Promise<ApprovedVariant[]> {
    const all = await this.redis.hvals(this.key(tenant));
    return all.map((v) => JSON.parse(v) as ApprovedVariant).sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  /** The approved variant for an exact system-prompt hash, for this tenant only. */
  async find(tenant: string, originalSha256: string): Promise<ApprovedVariant | undefined> {
    const raw = await this.redis.hget(this.key(tenant), originalSha256);
    return raw ? (JSON.parse(raw) as ApprovedVariant) : undefined;
  }

  async removeVariant(tenant: string, originalSha256: string): Promise<boolean> {
    return (await this.redis.hdel(this.key(tenant), originalSha256)) > 0;
  }
}
