import type Redis from 'ioredis';
import { priceUsage } from '../../core/accounting/pricing';
import { CONTINUE, type PipelineContext, type Stage, type StageOutcome } from '../../core/stage';
import { ContextCompactor } from './compactor';
import { ContextConfigSchema, resolvePolicy, type ContextConfig } from './context-config';
import type { Summarizer } from './summarizer';
import { RedisSummaryStore, type SummaryStore } from './summary-store';
import { ChainStats, type RemainingCallsEstimator } from './chain-stats';
import { emulateContextManagement, nativeContextManagement } from './context-management';
import { keptToolResults, resolveContextManagement } from './context-management-policy';
import { estimateRequestTokens } from './token-estimate';

export interface ContextCompactionStageOptions {
  /** Writes summaries (`AdapterSummarizer` over the small-tier model). Without it `summarize` strategies mask instead. */
  summarizer?: Summarizer;
  /** Where summaries are kept; or pass `redis` + `keyPrefix` to get a RedisSummaryStore. */
  store?: SummaryStore;
  redis?: Redis;
  /** Redis key prefix for summaries, e.g. "parsimony:"; required with `redis`. */
  keyPrefix?: string;
  /** Defaults and per-tenant / per-agent overrides; default: window 2, keep 1, `mask+summarize`, cost model on. */
  config?: ContextConfig;
  /** Expected remaining calls per tenant and agent; default learned in Redis (ChainStats) when `redis` is given. */
  remaining?: RemainingCallsEstimator;
}

/**
 * Rolling context compaction for agent chains. Runs after the cache stage on
 * the request as the client sent it. Counts tool cycles (assistant tool call
 * → tool results); once `window` cycles are uncompacted, all but the last
 * `keep` are replaced — by placeholders with their facts (`mask`) or by one
 * note holding a model-written summary plus a deterministic facts ledger
 * (`summarize`, `mask+summarize`). The system prompt and the user's task
 * (first user message) stay verbatim; the agent is picked from
 * `metadata.agent` for per-agent settings.
 *
 * Records: ctx.ledger.contextTokensRemoved (estimated), the summariser's
 * cost as overhead, and ctx.annotations.context = CompactionStats.
 */
export class ContextCompactionStage implements Stage {
  readonly name = 'context';
  private readonly compactor: ContextCompactor;
  private readonly config?: ContextConfig;

  constructor(options: ContextCompactionStageOptions = {}) {
    let store = options.store;
    if (!store && options.redis) {
      if (options.keyPrefix === undefined) throw new Error('ContextCompactionStage: keyPrefix is required with redis');
      store = new RedisSummaryStore(options.redis, { keyPrefix: options.keyPrefix });
    }
    this.config = options.config ? ContextConfigSchema.parse(options.config) : undefined;
    const remaining = options.remaining ?? (options.redis && options.keyPrefix !== undefined ? new ChainStats(options.redis, { keyPrefix: options.keyPrefix }) : undefined);
    this.compactor = new ContextCompactor({ summarizer: options.summarizer, store, remaining });
  }

  async run(ctx: PipelineContext): Promise<StageOutcome> {
    const agent = ctx.job.options.metadata?.agent;
    const agentName = typeof agent === 'string' ? agent : undefined;
    let policy = resolvePolicy(this.config, ctx.job.tenant, agentName);
    const keep = keptToolResults(ctx);
    const editing = resolveContextManagement(ctx, policy);
    if (editing) {
      // The caller's context-editing policy replaces the lever's own schedule for this request.
      if (ctx.model?.provider === 'anthropic') {
        ctx.request = nativeContextManagement(ctx.request, editing);
        ctx.annotations.context = { context_management: 'native' };
        return CONTINUE;
      }
      const before = estimateRequestTokens(ctx.request);
      const emulated = emulateContextManagement(ctx.request, editing, keep);
      ctx.request = emulated.request;
      ctx.ledger.contextTokensRemoved += Math.max(0, before - estimateRequestTokens(ctx.request));
      const note = { context_management: 'emulated', applied_edits: emulated.applied };
      if (!emulated.compact) {
        ctx.annotations.context = note;
        return CONTINUE;
      }
      // A compact edit reached its trigger: the lever compacts now, whatever its cost model would say.
      policy = { ...policy, enabled: true, costModel: false };
      await this.compactInto(ctx, policy, agentName, keep, note);
      return CONTINUE;
    }
    if (!policy.enabled) return CONTINUE;
    await this.compactInto(ctx, policy, agentName, keep, {});
    return CONTINUE;
  }

  private async compactInto(ctx: PipelineContext, policy: ReturnType<typeof resolvePolicy>, agent: string | undefined, keep: Set<string>, extra: Record<string, unknown>): Promise<void> {
    const outcome = await this.compactor.compact(ctx.request, policy, { tenant: ctx.job.tenant, signal: ctx.signal, model: ctx.model, agent, keep });
    const annotation: Record<string, unknown> = { ...extra, ...outcome.stats };
    if (outcome.summarizerUsage) {
      const { usage, model } = outcome.summarizerUsage;
      const usd = priceUsage(model, usage);
      ctx.ledger.addOverhead(usd);
      annotation.summarizer = { model: model.id, input_tokens: usage.input_tokens, output_tokens: usage.output_tokens, usd };
    }
    if (outcome.request !== ctx.request) {
      ctx.request = outcome.request;
      ctx.ledger.contextTokensRemoved += Math.max(0, outcome.stats.tokens_before - outcome.stats.tokens_after);
    }
    if (outcome.stats.fallback) ctx.log.warn({ context: annotation }, 'context compaction fell back');
    else if (outcome.stats.compacted_cycles) ctx.log.debug({ context: annotation }, 'context compacted');
    ctx.annotations.context = annotation;
  }
}
