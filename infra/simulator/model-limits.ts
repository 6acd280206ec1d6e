import { Catalog } from '../../shared/core/catalog/catalog';

/**
 * Per-model limits the real providers enforce (context window, max output,
 * Anthropic's minimum cacheable prefix), taken from the shared catalog.
 * Models outside the catalog are accepted without limits, so tests may use
 * any model name.
 */
export interface ModelLimits {
  contextWindow: number;
  maxOutputTokens: number;
  minCacheableTokens: number;
  /** Set for reasoning models: the efforts the provider accepts and the one it uses when none is sent. */
  reasoning?: { efforts: readonly string[]; defaultEffort: string };
}

let byModel: Map<string, ModelLimits> | undefined;

export function modelLimits(model: string): ModelLimits | undefined {
  if (!byModel) {
    byModel = new Map();
    for (const m of Catalog.load().models) {
      const limits: ModelLimits = {
        contextWindow: m.context_window,
        maxOutputTokens: m.max_output_tokens,
        minCacheableTokens: m.min_cacheable_tokens,
        reasoning: m.reasoning && { efforts: m.reasoning.efforts, defaultEffort: m.reasoning.default_effort },
      };
      // The provider accepts every name of a model: its id, the name Parsimony sends, dated snapshots.
      for (const name of [m.id, m.provider_model, ...(m.aliases ?? [])]) if (name && !byModel.has(name)) byModel.set(name, limits);
    }
  }
  return byModel.get(model);
}

/** Every model id the simulated providers know (the catalog's ids and aliases), for GET /v1/models. */
export function knownModels(): string[] {
  modelLimits('');
  return [...byModel!.keys()];
}

/** Anthropic's minimum prefix length for a cache write; 1,024 when the model is unknown. */
export function minCacheableTokens(model: string): number {
  return modelLimits(model)?.minCacheableTokens ?? 1024;
}
