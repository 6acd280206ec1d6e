import { z } from 'zod';
import type { ContextManagementConfig } from '../../core/chat-model';
import { ContextManagementSchema } from './context-management';

export const COMPACTION_STRATEGIES = ['mask', 'summarize', 'mask+summarize'] as const;
export type CompactionStrategy = (typeof COMPACTION_STRATEGIES)[number];

/** Settings that can be overridden per tenant and per agent (`metadata.agent`). */
export const CompactionPolicySchema = z
  .object({
    /** Whether the stage compacts at all; default true. */
    enabled: z.boolean().optional(),
    /** Default `mask+summarize`. */
    strategy: z.enum(COMPACTION_STRATEGIES).optional(),
    /** Uncompacted tool cycles that trigger a compaction; default 2. */
    window: z.number().int().min(1).max(1000).optional(),
    /** Most recent tool cycles always kept raw; default 1 (must be < window). */
    keep: z.number().int().min(0).max(999).optional(),
    /** Facts ledger detail; default `compact` (see FactsOptions: `ids` keeps keys and structure at ~3x the tokens). */
    facts: z.enum(['ids', 'values', 'compact', 'none']).optional(),
    /** Tool outputs shorter than this (estimated tokens) are never masked; default 24. */
    minMaskTokens: z.number().int().min(0).optional(),
    /** Take a compaction step only when the cost model says it pays on the routed model; default true. */
    costModel: z.boolean().optional(),
    /** Expected remaining calls of a chain when the tenant has no history yet; default 6. */
    defaultRemainingCalls: z.number().min(0).max(1000).optional(),
    /** A context-editing policy in Anthropic's `context_management` shape for every request of this tenant/agent that sets none (context-management.ts). */
    context_management: ContextManagementSchema.optional(),
  })
  .strict();
export type CompactionPolicyInput = z.infer<typeof CompactionPolicySchema>;

/** Stage configuration: defaults, then per-tenant overrides, then per-agent overrides inside a tenant. */
export const ContextConfigSchema = CompactionPolicySchema.extend({
  tenants: z.record(z.string(), CompactionPolicySchema.extend({ agents: z.record(z.string(), CompactionPolicySchema).optional() }).strict()).optional(),
}).strict();
export type ContextConfig = z.infer<typeof ContextConfigSchema>;

export interface CompactionPolicy {
  enabled: boolean;
  strategy: CompactionStrategy;
  window: number;
  keep: number;
  facts: 'ids' | 'values' | 'compact' | 'none';
  minMaskTokens: number;
  costModel: boolean;
  defaultRemainingCalls: number;
  context_management?: ContextManagementConfig;
}

export const DEFAULT_POLICY: CompactionPolicy = Object.freeze({
  enabled: true,
  strategy: 'mask+summarize',
  // Chosen by grouped-by-task cross-validation on the dev traces (scripts/context/cv.ts; see README).
  window: 2,
  keep: 1,
  facts: 'compact',
  minMaskTokens: 24,
  costModel: true,
  defaultRemainingCalls: 6,
}) as CompactionPolicy;

/** The effective policy for one job: defaults ← config ← tenant ← tenant's agent. */
export function resolvePolicy(config: ContextConfig | undefined, tenant: string, agent?: string): CompactionPolicy {
  const layers: CompactionPolicyInput[] = [];
  if (config) {
    const { tenants, ...base } = config;
    layers.push(base);
    const t = tenants?.[tenant];
    if (t) {
      const { agents, ...tenantBase } = t;
      layers.push(tenantBase);
      if (agent && agents?.[agent]) layers.push(agents[agent]);
    }
  }
  const policy: CompactionPolicy = { ...DEFAULT_POLICY };
  for (const layer of layers) for (const [k, v] of Object.entries(layer)) if (v !== undefined) (policy as unknown as Record<string, unknown>)[k] = v;
  // keep must leave at least one cycle to compact per step.
  if (policy.keep >= policy.window) policy.keep = policy.window - 1;
  return policy;
}

/**
 * Compaction boundary, in cycles, for a conversation with `n` complete tool
 * cycles. It only moves in steps of `window − keep`: when the uncompacted
 * cycles reach `window`, all but the last `keep` are compacted, and the
 * boundary then stays put until `window` uncompacted cycles have piled up
 * again. Between steps the compacted prefix is therefore byte-identical
 * across calls, which keeps provider prompt caches warm.
 */
export function compactionBoundary(n: number, window: number, keep: number): number {
  if (n < window) return 0;
  const step = Math.max(1, window - keep);
  return n - keep - ((n - window) % step);
}
