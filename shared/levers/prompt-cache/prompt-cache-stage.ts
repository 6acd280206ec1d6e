import type { Catalog, ModelEntry } from '../../core/catalog/catalog';
import { CONTINUE, type PipelineContext, type Stage, type StageOutcome } from '../../core/stage';
import { placeAnthropicBreakpoints, type BreakpointOptions } from './anthropic-breakpoints';
import { openAIPromptCacheKey } from './openai-cache-key';

export interface PromptCacheStageOptions {
  /** Used to find the model when `ctx.model` is not set yet (by `ctx.request.model`). */
  catalog?: Catalog;
  /** Anthropic breakpoint TTL; default 5 minutes. */
  ttl?: BreakpointOptions['ttl'];
}

/**
 * Provider prompt caching, after compression (so it sees the final prefix):
 * - Anthropic: cache_control breakpoints on the stable prefix (see
 *   placeAnthropicBreakpoints; caller's markers win, at most 4);
 * - OpenAI: `prompt_cache_key` per tenant + system + tools unless the caller
 *   set one. OpenAI caches the longest matching prefix by itself; the
 *   internal model already keeps system and tools ahead of the turns, and the
 *   context stage keeps the compacted history byte-stable.
 * The saving shows in the provider's usage (cached_input_tokens /
 * cache_write_tokens), priced by shared/core/accounting/pricing.ts.
 */
export class PromptCacheStage implements Stage {
  readonly name = 'prompt_cache';

  constructor(private readonly options: PromptCacheStageOptions = {}) {}

  async run(ctx: PipelineContext): Promise<StageOutcome> {
    const model: ModelEntry | undefined = ctx.model ?? this.options.catalog?.find(ctx.request.model);
    if (!model) return CONTINUE;
    if (model.provider === 'anthropic') {
      const context = ctx.annotations.context as { stable_prefix_messages?: number } | undefined;
      const plan = placeAnthropicBreakpoints(ctx.request, {
        minCacheableTokens: model.min_cacheable_tokens,
        stablePrefixMessages: context?.stable_prefix_messages,
        ttl: this.options.ttl,
      });
      ctx.request = plan.request;
      ctx.annotations.prompt_cache = {
        provider: 'anthropic',
        breakpoints: plan.added,
        caller_markers: plan.caller_markers,
        prefix_tokens: plan.prefix_tokens,
        min_cacheable_tokens: model.min_cacheable_tokens,
      };
    } else if (model.provider === 'openai') {
      const callerKey = ctx.request.prompt_cache_key !== undefined;
      if (!callerKey) ctx.request = { ...ctx.request, prompt_cache_key: openAIPromptCacheKey(ctx.job.tenant, ctx.request) };
      ctx.annotations.prompt_cache = { provider: 'openai', prompt_cache_key: callerKey ? 'caller' : 'parsimony' };
    }
    return CONTINUE;
  }
}
