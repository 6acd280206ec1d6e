import type { Redis } from 'ioredis';
import { TIERS, type Catalog, type Tier } from '../../../core/catalog/catalog';
import type { JobRecord } from '../../../core/jobs/job-record';
import type { JobStore } from '../../../core/jobs/job-store';
import type { PipelineContext } from '../../../core/stage';
import type { EscalationAnnotation } from './escalation';
import { DEFAULT_SESSION_WINDOW_SECONDS, SessionTierStore, sessionIdOf } from './session-floor';
import { ShadowLauncher } from './shadow-launcher';
import { ThresholdFeedback, type ThresholdFeedbackOptions } from './threshold-feedback';
import { DEFAULT_SHADOW_SHARE } from './shadow-sampling';

/** Configuration of the routing lever's guards (from the environment, via the platform). */
export interface RoutingGuardsConfig {
  /** Session floor window (how long an escalation keeps the session at its tier), seconds. Default 1800 (PARSIMONY_ROUTER_SESSION_WINDOW_SECONDS). */
  sessionWindowSeconds?: number;
  /** Share of small/mid routed jobs shadowed on the frontier. Default 0.02 (PARSIMONY_SHADOW_SHARE); 0 disables. */
  shadowShare?: number;
  /** Delay before the comparer first looks at a new shadow, ms. Default 5000 (PARSIMONY_SHADOW_CHECK_MS). */
  shadowFirstCheckMs?: number;
  /** Stores shadow jobs; without it (and `enqueue`) no shadow is launched. */
  store?: JobStore;
  /** Puts a stored shadow job on the pipeline queue. */
  enqueue?: (job: JobRecord) => Promise<void>;
  /** Production feedback on the thresholds (PARSIMONY_ROUTER_MIN_AGREEMENT, PARSIMONY_ROUTER_FEEDBACK_MIN_SHADOWS). */
  feedback?: ThresholdFeedback | ThresholdFeedbackOptions;
}

/**
 * The route stage's guards around the router's decision: the session floor
 * before it (a ratchet on escalations), and after the job completed, the
 * session's record of an escalation and the shadow launch. The structured-output cascade
 * lives in the execute stage (EscalationGuard). Redis trouble here never
 * fails a job: the guard is skipped and logged.
 */
export class RoutingGuards {
  readonly sessions: SessionTierStore;
  readonly shadows?: ShadowLauncher;
  readonly feedback: ThresholdFeedback;

  constructor(redis: Redis, prefix: string, catalog: Catalog, config: RoutingGuardsConfig = {}) {
    this.sessions = new SessionTierStore(redis, prefix, config.sessionWindowSeconds ?? DEFAULT_SESSION_WINDOW_SECONDS);
    // One instance per process when the platform passes it: the comparer's changes then reach this router at once.
    this.feedback = config.feedback instanceof ThresholdFeedback ? config.feedback : new ThresholdFeedback(redis, prefix, config.feedback);
    const share = config.shadowShare ?? DEFAULT_SHADOW_SHARE;
    if (config.store && config.enqueue && share > 0)
      this.shadows = new ShadowLauncher({ redis, prefix, catalog, store: config.store, enqueue: config.enqueue, share, firstCheckMs: config.shadowFirstCheckMs });
  }

  /** The highest tier this job's session escalated to within its window (routed jobs with `metadata.session_id` only). */
  async floorFor(ctx: PipelineContext): Promise<Tier | undefined> {
    const session = sessionIdOf(ctx.job);
    if (!session || ctx.job.options.requested_model !== 'auto') return undefined;
    try {
      return await this.sessions.floor(ctx.job.tenant, session);
    } catch (err) {
      ctx.log.warn({ err: { message: (err as Error).message } }, 'session floor unavailable; routing without it');
      return undefined;
    }
  }

  /** The tenant's threshold raises per task from shadow feedback (cached; Redis trouble = no raise, logged). */
  async raisesFor(ctx: PipelineContext): Promise<Record<string, number> | undefined> {
    try {
      return await this.feedback.raisesFor(ctx.job.tenant);
    } catch (err) {
      ctx.log.warn({ err: { message: (err as Error).message } }, 'routing feedback unavailable; routing without it');
      return undefined;
    }
  }

  /** After the job's result is stored: an escalated job raises its session's floor to the tier that answered; a sampled job gets its shadow. */
  async afterComplete(ctx: PipelineContext): Promise<void> {
    const session = sessionIdOf(ctx.job);
    const escalated = escalatedTier(ctx);
    const work: Promise<unknown>[] = [];
    if (session && escalated) work.push(this.sessions.record(ctx.job.tenant, session, escalated));
    if (this.shadows) work.push(this.shadows.launch(ctx));
    const results = await Promise.allSettled(work);
    for (const r of results) if (r.status === 'rejected') ctx.log.warn({ err: { message: (r.reason as Error)?.message } }, 'routing guard after completion failed');
  }
}

/** The tier an escalated job finally answered at (EscalationGuard's annotation), if it escalated. */
function escalatedTier(ctx: PipelineContext): Tier | undefined {
  const escalation = ctx.annotations.escalation as EscalationAnnotation | undefined;
  if (!escalation) return undefined;
  const tier = ctx.route?.tier ?? escalation.to_tier;
  return (TIERS as readonly string[]).includes(tier) ? (tier as Tier) : undefined;
}
