import { z } from 'zod';
import { TIERS } from '../../core/catalog/catalog';

const share = z.number().min(0).max(1);

/**
 * A tenant's routing policy. Every field is optional; what is missing comes
 * from the router's defaults (env or load options).
 */
export const RoutingPolicySchema = z
  .object({
    /** Target share of traffic sent to the frontier tier (RouteLLM-style calibration). */
    frontierShare: share.optional(),
    /**
     * Quality target: routed quality relative to all-frontier (0.99 = within 1%). The frontier share is
     * derived from it (the weights' held-out quality curve). A `frontierShare` given as well wins.
     */
    qualityTarget: z.number().min(0.5).max(1).optional(),
    /** Target share of traffic sent to the small tier; the rest goes to mid. */
    smallShare: share.optional(),
    minTier: z.enum(TIERS).optional(),
    maxTier: z.enum(TIERS).optional(),
    /** A catalog model per tier, used instead of the cheapest of the tier. */
    pinned: z.partialRecord(z.enum(TIERS), z.string().min(1)).optional(),
    /** Provider to prefer when the request does not name one (default: the provider of the catalog's auto model). */
    provider: z.string().min(1).optional(),
    /**
     * Tier floor for open-ended prompts (not multiple-choice) whose detected task is synthesis,
     * planning, reasoning or code, when the caller gave no task hint. Default "frontier"
     * (the "synthesis, planning and multi-step reasoning to frontier models");
     * "mid" leaves the frontier share to the calibrated score alone. max_tier still caps it.
     */
    openTaskFloor: z.enum(['mid', 'frontier']).optional(),
    /**
     * Tier for every agent tool-selection step (tools offered or tool calls in the conversation, answering a
     * user turn or a tool result), when the caller gave no task hint and the latest user turn is not
     * detected as synthesis, planning, reasoning or code. Default: none, i.e. mid once the agent loop is
     * under way (the reliable tool caller) and, for a first, one-shot tool choice, the score's tier capped at
     * mid. Invalid tool calls still escalate; caps and floors apply after it.
     */
    agentStepTier: z.enum(TIERS).optional(),
    /** false = never route: "auto" resolves to the catalog's auto model. Default true. */
    enabled: z.boolean().optional(),
  })
  .strict();
export type RoutingPolicy = z.infer<typeof RoutingPolicySchema>;

/** Defaults when neither the request nor the tenant says otherwise (the frontier share only when the weights carry no quality curve). */
export const DEFAULT_FRONTIER_SHARE = 0.5;
export const DEFAULT_SMALL_SHARE = 0.2;

const envShare = z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().min(0).max(1).optional());

/** The router's environment variables (the service passes its env; library code never reads process.env). */
export const RouterEnvSchema = z.object({
  /** Quality target when the tenant has no policy (routed quality relative to all-frontier). Default 0.99. */
  PARSIMONY_ROUTER_QUALITY_TARGET: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().min(0.5).max(1).optional()),
  /** A fixed frontier share instead of the quality target (the older knob; wins over the target when set). */
  PARSIMONY_ROUTER_FRONTIER_SHARE: envShare,
  /** Target small-tier share when the tenant has no policy. Default 0.2. */
  PARSIMONY_ROUTER_SMALL_SHARE: envShare,
  /** Path of a weights file replacing shared/levers/routing/weights.json. */
  PARSIMONY_ROUTER_WEIGHTS: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
});

export interface RouterDefaults {
  /** Set only when PARSIMONY_ROUTER_FRONTIER_SHARE is: otherwise the share comes from the quality target. */
  frontierShare?: number;
  smallShare: number;
  qualityTarget?: number;
  weightsPath?: string;
}

export function routerDefaultsFromEnv(env: Record<string, string | undefined>): RouterDefaults {
  const parsed = RouterEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`router environment is invalid: ${z.prettifyError(parsed.error)}`);
  return {
    frontierShare: parsed.data.PARSIMONY_ROUTER_FRONTIER_SHARE,
    qualityTarget: parsed.data.PARSIMONY_ROUTER_QUALITY_TARGET,
    smallShare: parsed.data.PARSIMONY_ROUTER_SMALL_SHARE ?? DEFAULT_SMALL_SHARE,
    weightsPath: parsed.data.PARSIMONY_ROUTER_WEIGHTS,
  };
}
