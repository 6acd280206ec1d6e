import { z } from 'zod';

/** Default TTL of each ttl_class, in seconds. */
export const TTL_CLASS_SECONDS = {
  /** Facts that do not change (definitions, how-tos): 30 days. */
  static: 30 * 24 * 3600,
  /** Anything time-sensitive (prices, news, weather): 1 hour. */
  volatile: 3600,
  /** Answers about the user's own state: 10 minutes. */
  user: 600,
} as const;
export type TtlClass = keyof typeof TTL_CLASS_SECONDS;

/**
 * The per-request cache option, accepted in the job envelope and in the chat
 * body extension (`cache: {…}`).
 *  - default: exact, then semantic lookup; store on a miss.
 *  - off: no lookup, no store (`x-parsimony-cache: bypass`).
 *  - refresh: no lookup; call the provider and overwrite the stored answer.
 *  - exact: the exact tier only.
 */
export const CacheRequestOptionsSchema = z
  .object({
    mode: z.enum(['default', 'off', 'refresh', 'exact']).default('default'),
    /** Lifetime of the entry this request stores; overrides ttl_class. */
    ttl_seconds: z
      .number()
      .int()
      .positive()
      .max(365 * 24 * 3600)
      .optional(),
    ttl_class: z.enum(['static', 'volatile', 'user']).optional(),
    /** Verifier score (0–1) a semantic candidate must reach, overriding the tenant's / task's (the scope's adapted threshold still applies when higher). */
    threshold: z.number().min(0).max(1).optional(),
  })
  .strict();
export type CacheRequestOptions = z.infer<typeof CacheRequestOptionsSchema>;

/** What a tenant gets when a request says nothing. */
export const CacheTenantPolicySchema = z
  .object({
    /** Cache at all for this tenant; default true. */
    enabled: z.boolean().default(true),
    /** Default mode; default "default". */
    mode: z.enum(['default', 'off', 'refresh', 'exact']).default('default'),
    /** Default TTL class; default "volatile" (1 hour) — a stale answer is worse than a miss. */
    ttl_class: z.enum(['static', 'volatile', 'user']).default('volatile'),
    ttl_seconds: z.number().int().positive().optional(),
    /** Verifier score threshold; default: the verifier's CV-chosen one (the embedder's cosine one without trained weights). */
    threshold: z.number().min(0).max(1).optional(),
    /** Per task type (job option `task`) thresholds, e.g. { "code": 0.99 }. */
    task_thresholds: z.record(z.string(), z.number().min(0).max(1)).default({}),
    /** Conversations up to this many user turns may use the semantic tier on their last user turn (earlier turns are in the scope, so they must match exactly); default 16. */
    max_semantic_turns: z.number().int().min(0).default(16),
    /** Store responses that end in tool calls; default false. */
    cache_tool_calls: z.boolean().default(false),
    /** Store truncated responses (finish_reason "length"); default false. */
    cache_truncated: z.boolean().default(false),
    /** Deprecated and ignored: the guards are features of the learned verifier now (kept so old policies still parse). */
    disabled_guards: z.array(z.string()).default([]),
  })
  .strict();
export type CacheTenantPolicy = z.infer<typeof CacheTenantPolicySchema>;

export const DEFAULT_TENANT_POLICY: CacheTenantPolicy = CacheTenantPolicySchema.parse({});

export interface ResolvedCacheOptions {
  mode: 'default' | 'off' | 'refresh' | 'exact';
  ttlSeconds: number;
  threshold: number;
  maxSemanticTurns: number;
  cacheToolCalls: boolean;
  cacheTruncated: boolean;
  disabledGuards: Set<string>;
}

/** Request option over task threshold over tenant default over the embedder's calibrated threshold. */
export function resolveCacheOptions(request: CacheRequestOptions | undefined, policy: CacheTenantPolicy, embedderThreshold: number, task?: string): ResolvedCacheOptions {
  const mode = !policy.enabled ? 'off' : (request?.mode ?? policy.mode);
  const ttlSeconds = request?.ttl_seconds ?? (request?.ttl_class ? TTL_CLASS_SECONDS[request.ttl_class] : undefined) ?? policy.ttl_seconds ?? TTL_CLASS_SECONDS[policy.ttl_class];
  const threshold = request?.threshold ?? (task ? policy.task_thresholds[task] : undefined) ?? policy.threshold ?? embedderThreshold;
  return {
    mode,
    ttlSeconds,
    threshold,
    maxSemanticTurns: policy.max_semantic_turns,
    cacheToolCalls: policy.cache_tool_calls,
    cacheTruncated: policy.cache_truncated,
    disabledGuards: new Set(policy.disabled_guards),
  };
}
