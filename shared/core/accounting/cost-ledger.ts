import type { Catalog, ModelEntry } from '../catalog/catalog';
import type { Usage } from '../chat-model';
import type { JobCost, LeverSavings } from '../jobs/job-record';
import { priceUsage, roundUsd } from './pricing';

/** A CostLedger serialised with toJSON (own fields: token counts, flags, overhead). */
export type CostLedgerState = Record<string, number | boolean | string>;

/**
 * Collects what each lever did to one job, then prices the job against its
 * counterfactual baseline, lever by lever, in the fixed waterfall order:
 *
 *   baseline (request as sent, default frontier model, sync, no lever)
 *   → routing → cache → context → compression → prompt_cache → batch (tier) = actual
 *
 * The batch step is the processing tier's discount: a provider batch or the
 * flex tier, each at its catalog discount.
 *
 * Each step prices the same output tokens; a lever's saving is the difference
 * between the step before and after it, so the steps add up exactly:
 *   actual_usd = baseline_usd − Σ by_lever + overhead_usd
 */
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
  /** USD spent by the levers themselves (embeddings, summaries, escalations, shadow runs). */
  private overheadUsd = 0;

  addOverhead(usd: number): void {
    this.overheadUsd += usd;
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

    const baseline = priceUsage(frontier, plain(originalInput));
    const afterRouting = priceUsage(executedModel, plain(originalInput));
    const afterCache = this.cacheHit ? 0 : afterRouting;
    const afterContext = this.cacheHit ? 0 : priceUsage(executedModel, plain(originalInput - this.contextTokensRemoved));
    const afterCompression = this.cacheHit ? 0 : priceUsage(executedModel, plain(sentInput));
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
    return { baseline_usd: baselineUsd, actual_usd: actualUsd, saved_usd: roundUsd(baselineUsd - actualUsd), overhead_usd: overheadUsd, by_lever: byLever };
  }
}
