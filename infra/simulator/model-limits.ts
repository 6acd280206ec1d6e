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
}

let byModel: Map<string, ModelLimits> | undefined;

export function modelLimits(model: string): ModelLimits | undefined {
  if (!byModel) {
    byModel = new Map();
    for (const m of Catalog.load().models) {
      const limits = { contextWindow: m.context_window, maxOutputTokens: m.max_output_tokens, minCacheableTokens: m.min_cacheable_tokens };
      byModel.set(m.id, limits);
      if (m.provider_model) byModel.set(m.provider_model, limits);
    }
  }
  return byModel.get(model);
}

/** Anthropic's minimum prefix length for a cache write; 1,024 when the model is unknown. */
export function minCacheableTokens(model: string): number {
  return modelLimits(model)?.minCacheableTokens ?? 1024;
}
