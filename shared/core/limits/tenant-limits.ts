import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../platform/config/env';

/** `null` lifts a limit the "*" default would otherwise impose. */
const limit = z.number().positive().nullable().optional();

export const TenantLimitsSchema = z
  .object({
    /** Admitted requests per sliding minute. */
    requests_per_minute: limit,
    /** Estimated tokens (request chars / 4 + requested max output tokens) per sliding minute. */
    tokens_per_minute: limit,
    /** Actual spend per UTC day, from the savings aggregates (every job once, batch jobs included). */
    usd_per_day: limit,
  })
  .strict();
export type TenantLimitsInput = z.infer<typeof TenantLimitsSchema>;

export const TenantLimitsPolicySchema = z.record(z.string().regex(/^(\*|[a-zA-Z0-9_-]{1,64})$/, 'keys are tenant names or "*"'), TenantLimitsSchema);

/** A tenant's effective limits; undefined = unlimited. */
export interface TenantLimits {
  requests_per_minute?: number;
  tokens_per_minute?: number;
  usd_per_day?: number;
}

/**
 * Per-tenant budgets and rate limits from PARSIMONY_TENANT_LIMITS: inline
 * JSON or the path of a JSON file, e.g.
 * `{"*": {"requests_per_minute": 600}, "acme": {"usd_per_day": 50}}`.
 * A tenant's entry overrides the "*" default field by field; a field set to
 * null lifts that limit for the tenant.
 */
export class TenantLimitsPolicy {
  private constructor(private readonly entries: Record<string, TenantLimitsInput>) {}

  /** Parses the variable; throws ConfigError naming it on a bad value. Returns undefined when unset. */
  static fromSpec(spec: string | undefined): TenantLimitsPolicy | undefined {
    if (!spec || !spec.trim()) return undefined;
    const text = spec.trim();
    let raw: unknown;
    try {
      raw = JSON.parse(text.startsWith('{') ? text : readPolicyFile(text));
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(`invalid configuration: PARSIMONY_TENANT_LIMITS is not valid JSON (${(err as Error).message})`);
    }
    const parsed = TenantLimitsPolicySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(`invalid configuration: PARSIMONY_TENANT_LIMITS ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    return new TenantLimitsPolicy(parsed.data);
  }

  /** The limits that apply to `tenant`. */
  for(tenant: string): TenantLimits {
    const merged = { ...this.entries['*'], ...this.entries[tenant] };
    const limits: TenantLimits = {};
    for (const key of ['requests_per_minute', 'tokens_per_minute', 'usd_per_day'] as const) {
      const value = merged[key];
      if (typeof value === 'number') limits[key] = value;
    }
    return limits;
  }
}

function readPolicyFile(path: string): string {
  if (!existsSync(path)) throw new ConfigError(`invalid configuration: PARSIMONY_TENANT_LIMITS is neither JSON nor an existing file: ${path}`);
  return readFileSync(path, 'utf8');
}
