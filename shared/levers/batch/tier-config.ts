import { z } from 'zod';

/** The processing tiers a job can run on, cheapest last. */
export const PROCESSING_TIERS = ['standard', 'flex', 'batch'] as const;
export type ProcessingTier = (typeof PROCESSING_TIERS)[number];

/** Per-tenant default latency budget, seconds (`"*"` = every tenant), for async jobs sent without a deadline. */
export const TenantBudgetsSchema = z.record(z.string(), z.number().positive());

/**
 * How the tier choice weighs a job's latency budget. The `*Prior` figures are
 * used until a provider + model has `minSamples` measurements (tier-stats.ts).
 */
export interface TierConfig {
  /** Expected 95th-percentile provider batch turnaround with no history, seconds. Default 3000 (+ the 300 s margin: a deadline 55 min away, about the old 1-hour rule). */
  batchP95PriorSeconds: number;
  /** Expected 95th-percentile flex latency with no history, seconds. Default 120. */
  flexP95PriorSeconds: number;
  /** Expected flex refusal rate (429 or timeout) with no history. Default 0.1. */
  flexRefusalPrior: number;
  /** Flex is not tried when its measured refusal rate is above this. Default 0.5. */
  flexMaxRefusal: number;
  /** Time kept for a standard call after a refused flex one (its 95th-percentile latency), seconds. Default 60. */
  standardP95Seconds: number;
  /** Safety margin kept before every deadline, seconds. Default 300. */
  marginSeconds: number;
  /** Longest a flex call may take before it is abandoned for standard, seconds (OpenAI's SDK default is 600). Default 600. */
  flexTimeoutCapSeconds: number;
  /** Measurements per provider + model kept (rolling window). Default 200. */
  window: number;
  /** Measurements needed before they replace the priors. Default 5. */
  minSamples: number;
  /** Default latency budget of an async job without a deadline, per tenant. Default none (such a job runs standard). */
  tenantBudgets?: Record<string, number>;
}

export const DEFAULT_TIER_CONFIG: TierConfig = {
  batchP95PriorSeconds: 3000,
  flexP95PriorSeconds: 120,
  flexRefusalPrior: 0.1,
  flexMaxRefusal: 0.5,
  standardP95Seconds: 60,
  marginSeconds: 300,
  flexTimeoutCapSeconds: 600,
  window: 200,
  minSamples: 5,
};

/** The budget a `latency: "batch"` job without a deadline has: a provider batch's own window. */
export const BATCH_WINDOW_SECONDS = 24 * 3600;
