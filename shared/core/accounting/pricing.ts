import type { ModelEntry } from '../catalog/catalog';
import type { Usage } from '../chat-model';

const PER_MILLION = 1_000_000;

/**
 * USD for one call's usage on a model. Cached reads and cache writes are
 * priced at the catalog's cached-input and cache-write prices; the rest of
 * the input at the input price. `batch` applies the model's batch discount.
 */
export function priceUsage(model: ModelEntry, usage: Usage, options: { batch?: boolean } = {}): number {
  const uncached = Math.max(0, usage.input_tokens - usage.cached_input_tokens - usage.cache_write_tokens);
  // 1-hour writes (part of cache_write_tokens) at the 1-hour price: the catalog's, else Anthropic's 2x input.
  const write1h = Math.min(usage.cache_write_1h_tokens ?? 0, usage.cache_write_tokens);
  const usd =
    (uncached * model.price.input +
      usage.cached_input_tokens * model.price.cached_input +
      (usage.cache_write_tokens - write1h) * model.price.cache_write +
      write1h * (model.price.cache_write_1h ?? model.price.input * 2) +
      usage.output_tokens * model.price.output) /
    PER_MILLION;
  return options.batch ? usd * (1 - model.batch_discount) : usd;
}

/** Rounds to a millionth of a cent so sums stay exact enough and JSON stays short. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e8) / 1e8;
}
