/**
 * The eval's four input-cost policies for one model over one agent run:
 *   as_sent              every call's input at the input price (no provider caching);
 *   prompt_cache_only    the request as sent + Parsimony's prompt-cache stage, billed by the provider's caching model;
 *   compaction_only      the request as the stage compacts it when the provider caches nothing, at the input price, plus the summariser;
 *   compaction_and_cache compacted + prompt-cache stage, billed by the caching model, plus the summariser (the product default).
 * Billing follows shared/levers/prompt-cache/cache-billing.ts (OpenAI automatic prefix caching, Anthropic breakpoints).
 */
import type { Catalog, ModelEntry } from '../../shared/core/catalog/catalog';
import type { ChatRequest } from '../../shared/core/chat-model';
import { CacheSession, cachingKindOf, inputUsd, prefixBlocks } from '../../shared/levers/prompt-cache/cache-billing';
import { PromptCacheStage } from '../../shared/levers/prompt-cache/prompt-cache-stage';
import type { PipelineContext } from '../../shared/core/stage';

export const POLICIES = ['as_sent', 'prompt_cache_only', 'compaction_only', 'compaction_and_cache'] as const;
export type Policy = (typeof POLICIES)[number];
export type PolicyUsd = Record<Policy, number>;

export function zeroUsd(): PolicyUsd {
  return { as_sent: 0, prompt_cache_only: 0, compaction_only: 0, compaction_and_cache: 0 };
}

export function addUsd(into: PolicyUsd, from: PolicyUsd): void {
  for (const p of POLICIES) into[p] += from[p];
}

export function roundUsd(usd: PolicyUsd): PolicyUsd {
  const out = zeroUsd();
  for (const p of POLICIES) out[p] = Math.round(usd[p] * 1e6) / 1e6;
  return out;
}

/**
 * The default frontier model of each provider: the catalog's `defaults.tiers`
 * entry (Catalog.tierDefault), else the catalog's default frontier for its own
 * provider, else that provider's frontier models cheapest first. Read from the
 * catalog, never hard-coded.
 */
export function frontierByProvider(catalog: Catalog): Map<string, ModelEntry> {
  const out = new Map<string, ModelEntry>();
  for (const m of catalog.models) {
    if (out.has(m.provider)) continue;
    const f = catalog.tierDefault(m.provider, 'frontier') ?? (catalog.defaultFrontier.provider === m.provider ? catalog.defaultFrontier : catalog.byTier('frontier', m.provider)[0]);
    if (f) out.set(m.provider, f);
  }
  return out;
}

/** The model as a provider without prompt caching would bill it: the stage's cost model sees no cache reads or writes. */
export function withoutCaching(model: ModelEntry): ModelEntry {
  return { ...model, id: `${model.id}#uncached`, provider: 'uncached' };
}

/** One run, one model: the sessions of the two cached policies and the running totals. */
export class RunCosts {
  readonly usd = zeroUsd();
  private readonly sent: CacheSession;
  private readonly compacted: CacheSession;
  private readonly stage: PromptCacheStage;

  constructor(
    readonly model: ModelEntry,
    catalog: Catalog,
  ) {
    const kind = cachingKindOf(model);
    this.sent = new CacheSession(kind, model.min_cacheable_tokens);
    this.compacted = new CacheSession(kind, model.min_cacheable_tokens);
    this.stage = new PromptCacheStage({ catalog });
  }

  /**
   * Adds one call: the request as sent, its compacted form (same object when
   * untouched) and the summariser's USD, as the stage decided for this model
   * with its provider caching; `uncached` is the same for a provider without
   * prompt caching (the stage's cost model decides differently there).
   */
  async add(
    ctxFor: (request: ChatRequest) => PipelineContext,
    original: ChatRequest,
    compacted: ChatRequest,
    summaryUsd: number,
    contextAnnotation: unknown,
    uncached: { request: ChatRequest; summaryUsd: number },
  ): Promise<void> {
    const m = this.model;
    const plain = (r: ChatRequest) => {
      const tokens = prefixBlocks(r).at(-1)?.tokens ?? 0;
      return inputUsd(m, { input_tokens: tokens, cached_input_tokens: 0, cache_write_tokens: 0 });
    };
    this.usd.as_sent += plain(original);
    this.usd.compaction_only += plain(uncached.request) + uncached.summaryUsd;
    const withCache = async (r: ChatRequest, annotation: unknown) => {
      const ctx = ctxFor({ ...r, model: m.id });
      ctx.model = m;
      if (annotation) ctx.annotations.context = annotation;
      await this.stage.run(ctx);
      return ctx.request;
    };
    this.usd.prompt_cache_only += inputUsd(m, this.sent.bill(await withCache(original, undefined)));
    this.usd.compaction_and_cache += inputUsd(m, this.compacted.bill(await withCache(compacted, contextAnnotation))) + summaryUsd;
  }
}
