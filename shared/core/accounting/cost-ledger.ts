import type { Catalog, ModelEntry } from '../catalog/catalog';
import type { Usage } from '../chat-model';
import type { JobCost, LeverSavings } from '../jobs/job-record';
import { priceUsage, roundUsd } from './pricing';

/** Cache reads / writes of one call, as the prompt-cache lever estimates them. */
export type AnywayCache = Pick<Usage, 'cached_input_tokens' | 'cache_write_tokens' | 'cache_write_1h_tokens'>;

/** A CostLedger serialised with toJSON (own fields: token counts, flags, overhead). */
export type CostLedgerState = Record<string, number | boolean | string>;

/**
 * Collects what each lever did to one job, then prices the job against its
 * counterfactual baseline, lever by lever, in the fixed waterfall order:
 *
 *   baseline (request as sent, default frontier model, sync, no lever, with the
 *             provider caching it would have had anyway — see withAnyway)
 *   → routing → cache → context → compression → prompt_cache → batch (tier) = actual
 *
 * The batch step is the processing tier's discount: a provider batch or the
 * flex tier, each at its catalog discount.
 *
 * Each step prices the same output tokens; a lever's saving is the difference
 * between the step before and after it, so the steps add up exactly:
 *   actual_usd = baseline_usd − Σ by_lever + overhead_usd
 */
/** Relative reasoning tokens per effort (medium = 1), OpenAI's guidance rounded; used only for the baseline estimate. */
const EFFORT_TOKEN_FACTOR: Record<string, number> = { none: 0, minimal: 0.1, low: 0.35, medium: 1, high: 2.5, xhigh: 5, max: 8 };

/**
 * Reasoning tokens the frontier at its default effort would have spent beyond what the routed call spent,
 * scaled from the routed call's reasoning tokens (0 when routing chose no effort or nothing was reasoned).
 */
function baselineExtraReasoning(frontier: ModelEntry, routedEffort: string, reasoningTokens: number): number {
  const routed = EFFORT_TOKEN_FACTOR[routedEffort];
  const full = frontier.reasoning ? EFFORT_TOKEN_FACTOR[frontier.reasoning.default_effort] : undefined;
  if (!routed || full === undefined || reasoningTokens <= 0 || full <= routed) return 0;
  return Math.round(reasoningTokens * (full / routed - 1));
}

export class CostLedger {
  /** Input tokens removed by context compaction (before → after). */
  contextTokensRemoved = 0;
  /** Input tokens removed by prompt compression. */
  compressionTokensRemoved = 0;
  /** Served from the semantic/exact cache: no provider call. */
  cacheHit = false;
  /** Executed through a provider batch API at the batch price. */
  batched = false;
  /** Answered by the provider's flex tier (OpenAI `service_tier: "flex"`) at the flex price. */
  flex = false;
  /** Reasoning effort the routing lever chose with the model (unset when the caller gave one or the model does not reason). */
  routedEffort = '';
  /** USD spent by the levers themselves (embeddings, summaries, escalations, shadow runs). */
  private overheadUsd = 0;
  /**
   * Provider caching the request as sent would have had anyway (estimated by
   * the prompt-cache lever's BaselineCacheStage), on the baseline model and on
   * the routed model: reads, writes, 1-hour writes.
   */
  private anywayBaselineModel = '';
  private anywayBaselineProvider = '';
  private anywayBaselineRead = 0;
  private anywayBaselineWrite = 0;
  private anywayBaselineWrite1h = 0;
  private anywayRoutedModel = '';
  private anywayRoutedProvider = '';
  private anywayRoutedRead = 0;
  private anywayRoutedWrite = 0;
  private anywayRoutedWrite1h = 0;

  addOverhead(usd: number): void {
    this.overheadUsd += usd;
  }

  recordProviderCacheAnyway(baselineModel: Pick<ModelEntry, 'id' | 'provider'>, onBaseline: AnywayCache, routedModel: Pick<ModelEntry, 'id' | 'provider'>, onRouted: AnywayCache): void {
    this.anywayBaselineModel = baselineModel.id;
    this.anywayBaselineProvider = baselineModel.provider;
    this.anywayRoutedProvider = routedModel.provider;
    this.anywayBaselineRead = onBaseline.cached_input_tokens;
    this.anywayBaselineWrite = onBaseline.cache_write_tokens;
    this.anywayBaselineWrite1h = onBaseline.cache_write_1h_tokens ?? 0;
    this.anywayRoutedModel = routedModel.id;
    this.anywayRoutedRead = onRouted.cached_input_tokens;
    this.anywayRoutedWrite = onRouted.cache_write_tokens;
    this.anywayRoutedWrite1h = onRouted.cache_write_1h_tokens ?? 0;
  }

  /**
   * `usage` with the caching the request as sent would have had anyway on
   * `model` (same provider as the estimate, else none), after `removed` input
   * tokens were taken out by compaction/compression — out of the cached
   * prefix first, since that is where old history and the system prompt sit.
   */
  private withAnyway(model: ModelEntry, usage: Usage, removed: number): Usage {
    const pick =
      model.id === this.anywayBaselineModel
        ? true
        : model.id === this.anywayRoutedModel
          ? false
          : model.provider === this.anywayRoutedProvider
            ? false
            : model.provider === this.anywayBaselineProvider
              ? true
              : undefined;
    if (pick === undefined) return usage;
    let read = pick ? this.anywayBaselineRead : this.anywayRoutedRead;
    let write = pick ? this.anywayBaselineWrite : this.anywayRoutedWrite;
    let write1h = pick ? this.anywayBaselineWrite1h : this.anywayRoutedWrite1h;
    const fromRead = Math.min(read, removed);
    read -= fromRead;
    const fromWrite = Math.min(write, removed - fromRead);
    write -= fromWrite;
    write1h = Math.min(write1h, write);
    const cap = usage.input_tokens;
    read = Math.min(read, cap);
    write = Math.min(write, cap - read);
    return { ...usage, cached_input_tokens: read, cache_write_tokens: write, cache_write_1h_tokens: Math.min(write1h, write) };
  }

  /**
   * The ledger as plain JSON, stored on a deferred job so the levers' savings
   * survive until its provider batch result arrives (see fromJSON).
   */
  toJSON(): CostLedgerState {
    return { ...this } as unknown as CostLedgerState;
  }

  /**
   * A ledger restored from toJSON. Only fields a fresh ledger has, with the
   * same type, are taken: a state written by an older or newer version never
   * injects anything else.
   */
  static fromJSON(state: unknown): CostLedger {
    const ledger = new CostLedger();
    if (!state || typeof state !== 'object') return ledger;
    const target = ledger as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(state)) {
      if (Object.hasOwn(target, key) && typeof target[key] === typeof value) target[key] = value;
    }
    return ledger;
  }

  /**
   * Prices the job. `usage` is the provider's usage for the executed call (for
   * a cache hit: the usage recorded with the cached answer, used only to
   * estimate the baseline).
   */
  price(catalog: Catalog, executedModel: ModelEntry, usage: Usage): JobCost {
    const frontier = catalog.defaultFrontier;
    const output = usage.output_tokens;
    const sentInput = usage.input_tokens;
    const originalInput = sentInput + this.contextTokensRemoved + this.compressionTokensRemoved;
    const plain = (input: number): Usage => ({ input_tokens: input, output_tokens: output, cached_input_tokens: 0, cache_write_tokens: 0 });

    // The baseline is the frontier at its default effort: reasoning the router saved by a lower effort is a routing saving.
    const baselineOutput = output + baselineExtraReasoning(frontier, this.routedEffort, usage.reasoning_tokens ?? 0);
    // Every step before prompt_cache includes the caching the request as sent would have had anyway.
    const grossBaseline = priceUsage(frontier, { ...plain(originalInput), output_tokens: baselineOutput });
    const baseline = priceUsage(frontier, { ...this.withAnyway(frontier, plain(originalInput), 0), output_tokens: baselineOutput });
    const routed = (removed: number) => priceUsage(executedModel, this.withAnyway(executedModel, plain(originalInput - removed), removed));
    const afterRouting = routed(0);
    const afterCache = this.cacheHit ? 0 : afterRouting;
    const afterContext = this.cacheHit ? 0 : routed(this.contextTokensRemoved);
    const afterCompression = this.cacheHit ? 0 : routed(this.contextTokensRemoved + this.compressionTokensRemoved);
    const afterPromptCache = this.cacheHit ? 0 : priceUsage(executedModel, usage);
    const tier = this.batched ? 'batch' : this.flex ? 'flex' : 'standard';
    const afterBatch = this.cacheHit ? 0 : priceUsage(executedModel, usage, { tier });

    const byLever: LeverSavings = {
      routing: roundUsd(baseline - afterRouting),
      cache: roundUsd(afterRouting - afterCache),
      context: roundUsd(afterCache - afterContext),
      compression: roundUsd(afterContext - afterCompression),
      prompt_cache: roundUsd(afterCompression - afterPromptCache),
      batch: roundUsd(afterPromptCache - afterBatch),
    };
    const baselineUsd = roundUsd(baseline);
    const overheadUsd = roundUsd(this.overheadUsd);
    const leverSum = Object.values(byLever).reduce((a, b) => a + b, 0);
    // Derive actual from the identity so rounding never breaks it.
    const actualUsd = roundUsd(baselineUsd - leverSum + overheadUsd);
    return {
      baseline_usd: baselineUsd,
      actual_usd: actualUsd,
      saved_usd: roundUsd(baselineUsd - actualUsd),
      overhead_usd: overheadUsd,
      by_lever: byLever,
      provider_cache_anyway_usd: roundUsd(grossBaseline - baseline),
    };
  }
}
