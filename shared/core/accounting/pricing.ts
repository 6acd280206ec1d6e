import type { ModelEntry } from '../catalog/catalog';
import type { Usage } from '../chat-model';

const PER_MILLION = 1_000_000;

/**
 * USD for one call's usage on a model. Cached reads and cache writes are
 * priced at the catalog's cached-input and cache-write prices; the rest of
 * the input at the input price. `tier: "batch"` (or `batch: true`) applies the
 * model's batch discount, `tier: "flex"` its flex discount (none when the
 * model offers no flex tier).
 */
export function priceUsage(model: ModelEntry, usage: Usage, options: { batch?: boolean; tier?: 'standard' | 'flex' | 'batch' } = {}): number {
  const uncached = Math.max(0, usage.input_tokens - usage.cached_input_tokens - usage.cache_write_tokens);
  const usd =
    (uncached * model.price.input +
      usage.cached_input_tokens * model.price.cached_input +
      usage.cache_write_tokens * model.price.cache_write +
      usage.output_tokens * model.price.output) /
    PER_MILLION;
  const tier = options.tier ?? (options.batch ? 'batch' : 'standard');
  if (tier === 'batch') return usd * (1 - model.batch_discount);
  if (tier === 'flex') return usd * (1 - (model.flex_discount ?? 0));
  return usd;
}

/** Rounds to a millionth of a cent so sums stay exact enough and JSON stays short. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e8) / 1e8;
}
