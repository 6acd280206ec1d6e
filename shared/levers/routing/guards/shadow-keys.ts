/**
 * Redis keys of shadow evaluation, under the deployment prefix:
 * - `routing:shadow:<shadow job id>` hash: `meta` (JSON, set at launch), `checks`, `result` (JSON, set once when compared);
 * - `routing:shadow-pending` sorted set: shadow job ids by the time of their next check (ms);
 * - `routing:shadows:<tenant>` list: the tenant's latest shadow job ids (newest first, capped);
 * - `routing:quality:<tenant>:<day>` hash: agreement aggregates, fields `<group>|<measure>`.
 */
export class ShadowKeys {
  constructor(private readonly prefix: string) {}

  shadow(shadowJobId: string): string {
    return `${this.prefix}:routing:shadow:${shadowJobId}`;
  }

  get pending(): string {
    return `${this.prefix}:routing:shadow-pending`;
  }

  recent(tenant: string): string {
    return `${this.prefix}:routing:shadows:${tenant}`;
  }

  quality(tenant: string, day: string): string {
    return `${this.prefix}:routing:quality:${tenant}:${day}`;
  }
}

/** Shadow jobs run under `<tenant>~shadow`: their spend lands in that pseudo-tenant's aggregates, never in the tenant's. */
export const SHADOW_TENANT_SUFFIX = '~shadow';

export function shadowTenantOf(tenant: string): string {
  return `${tenant}${SHADOW_TENANT_SUFFIX}`;
}

/** Real tenant names cannot contain "~" (PARSIMONY_API_KEYS), so this never matches one. */
export function isShadowTenant(tenant: string): boolean {
  return tenant.endsWith(SHADOW_TENANT_SUFFIX);
}

/** How long shadow records and the recent list live: as long as job records by default (7 days). */
export const SHADOW_RECORD_TTL_SECONDS = 7 * 24 * 3600;

/** Latest shadows kept per tenant for GET /v1/routing/quality. */
export const RECENT_SHADOWS = 50;

/** The shadow meta stored at launch. */
export interface ShadowMeta {
  tenant: string;
  /** The original (routed) job. */
  job_id: string;
  shadow_job_id: string;
  /** Task the router assumed (hint or detected), "unspecified" when none. */
  task: string;
  tier: string;
  model: string;
  shadow_model: string;
  created_at: string;
}

/** The comparison stored once the shadow finished. */
export interface ShadowResult {
  status: 'compared' | 'failed';
  exact: boolean;
  json_equal: boolean;
  similarity: number;
  agree: boolean;
  shadow_cost_usd: number;
  shadow_delivered_by: string | null;
  /** The shadow's `annotations.batch.path` ("batch" when a provider batch answered it). */
  shadow_batch_path: string | null;
  compared_at: string;
  /** Why no comparison was possible (shadow failed, original gone). */
  error?: string;
}
