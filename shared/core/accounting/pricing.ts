import type { ModelEntry } from '../catalog/catalog';
import type { Usage } from '../chat-model';

const PER_MILLION = 1_000_000;

/** How a call was processed: the provider's standard tier, OpenAI's flex tier, or a provider batch. */
export type PriceTier = 'standard' | 'flex' | 'batch';

export interface PriceOptions {
  /** Processing tier (default standard): `flex` applies the model's flex discount, `batch` its batch discount. */
  tier?: PriceTier;
  /** @deprecated the same as `tier: 'batch'` (kept for existing callers). */
  batch?: boolean;
}

/**
 * USD for one call's usage on a model, at list prices:
 * - input not read from nor written to the prompt cache at the input price;
 * - cached reads at the cached-input price;
 * - cache writes at the 5-minute write price, except the 1-hour subset
 *   (`cache_write_1h_tokens`) at `cache_write_1h` (2x input at Anthropic;
 *   the 5-minute price where the catalog names none);
 * - output at the output price. Reasoning tokens are a subset of
 *   `output_tokens` and billed as output, so they need no term of their own.
 * A flex or batch tier then takes the model's discount off the whole call
 * (a model without a flex price is billed at standard on flex).
 */
export function priceUsage(model: ModelEntry, usage: Usage, options: PriceOptions = {}): number {
  const writes1h = Math.min(usage.cache_write_1h_tokens ?? 0, usage.cache_write_tokens);
  const writes5m = usage.cache_write_tokens - writes1h;
  const uncached = Math.max(0, usage.input_tokens - usage.cached_input_tokens - usage.cache_write_tokens);
  const usd =
    (uncached * model.price.input +
      usage.cached_input_tokens * model.price.cached_input +
      writes5m * model.price.cache_write +
      writes1h * (model.price.cache_write_1h ?? model.price.cache_write) +
      usage.output_tokens * model.price.output) /
    PER_MILLION;
  return usd * (1 - tierDiscount(model, options.tier ?? (options.batch ? 'batch' : 'standard')));
}

/** The fraction a tier takes off the model's list price (0 when the model is not offered on that tier). */
export function tierDiscount(model: ModelEntry, tier: PriceTier): number {
  if (tier === 'batch') return model.batch_discount;
  if (tier === 'flex') return model.flex_discount ?? 0;
  return 0;
}

/** Rounds to a millionth of a cent so sums stay exact enough and JSON stays short. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e8) / 1e8;
}
