import type { ModelEntry } from '../../core/catalog/catalog';
import { AUTO_MIN_TOKENS, cachingKindOf, type CachingKind } from '../prompt-cache/cache-billing';

/**
 * Whether a compaction step pays, in USD of input on the model the call goes
 * to. Two futures are priced over this call and the `remaining` calls expected
 * after it (each adding `growth` new tokens):
 *
 *   stay    the request keeps its current (already cached) prefix;
 *   advance the request is compacted: `removed` fewer tokens from now on, but
 *           everything after the unchanged head (`headTokens`) is new to the
 *           provider's cache on this call (OpenAI: billed as uncached input;
 *           Anthropic: written at the write price), and the summary is paid.
 *
 * Caching per provider follows cache-billing.ts: a prefix is read back only if
 * it is long enough to be cached (OpenAI 1,024 tokens, Anthropic the model's
 * minimum), so a compaction that drops a prompt under that minimum loses its
 * cache reads, and the model sees it.
 */
export interface CompactionCostInput {
  model: ModelEntry;
  /** Tokens of this call if it stays / if it advances. */
  stayTokens: number;
  advanceTokens: number;
  /** Tokens of this call's newest part (since the previous call): new to the cache either way. */
  newTokens: number;
  /** Tokens at the start that are unchanged by advancing (system, tools, …). */
  headTokens: number;
  /** Expected calls of this chain after this one (learned per tenant and agent; see ChainStats). */
  remaining: number;
  /** Expected tokens each later call adds. */
  growth: number;
  /** USD the summary costs (0 when stored or when masking). */
  summaryUsd: number;
}

export interface CompactionCostDecision {
  decision: 'advance' | 'skip';
  stay_usd: number;
  advance_usd: number;
  remaining: number;
}

/** USD of one call's input: `cached` prefix tokens already in the provider cache, `fresh` tokens after them. */
export function callInputUsd(model: ModelEntry, kind: CachingKind, cached: number, fresh: number): number {
  const p = model.price;
  const total = cached + fresh;
  if (kind === 'auto') return (cached >= AUTO_MIN_TOKENS ? cached * p.cached_input : cached * p.input) + fresh * p.input;
  if (kind === 'breakpoints') {
    const min = model.min_cacheable_tokens;
    if (cached >= min) return cached * p.cached_input + fresh * p.cache_write;
    return total >= min ? total * p.cache_write : total * p.input;
  }
  return total * p.input;
}

/**
 * Advance only if it pays over a short, the expected and a long horizon
 * (remaining × 0.5, × 1, × 2 + 2): the remaining-calls estimate is a mean over
 * chains of very different lengths, and a step that pays only if the chain
 * ends soon (or only if it runs long) is a bet the user should not pay for.
 */
export function compactionPays(input: CompactionCostInput): CompactionCostDecision {
  const expected = Math.max(0, input.remaining);
  const horizons = [expected * 0.5, expected, expected * 2 + 2].map((remaining) => priceHorizon({ ...input, remaining }));
  const main = horizons[1];
  const pays = horizons.every((h) => h.advance_usd < h.stay_usd);
  return { ...main, decision: pays ? 'advance' : 'skip' };
}

function priceHorizon(input: CompactionCostInput): CompactionCostDecision {
  const kind = cachingKindOf(input.model);
  const { stayTokens, advanceTokens, newTokens, headTokens, growth } = input;
  const remaining = Math.max(0, input.remaining);
  const whole = Math.floor(remaining);
  const frac = remaining - whole;
  const future = (start: number) => {
    let usd = 0;
    for (let j = 1; j <= whole + (frac > 0 ? 1 : 0); j++) usd += (j > whole ? frac : 1) * callInputUsd(input.model, kind, start + (j - 1) * growth, growth);
    return usd;
  };
  const stayNow = callInputUsd(input.model, kind, Math.max(0, stayTokens - newTokens), newTokens);
  const advanceNow = callInputUsd(input.model, kind, Math.min(headTokens, advanceTokens), Math.max(0, advanceTokens - headTokens));
  const stay = (stayNow + future(stayTokens)) / 1e6;
  const advance = (advanceNow + future(advanceTokens)) / 1e6 + input.summaryUsd;
  return { decision: advance < stay ? 'advance' : 'skip', stay_usd: round(stay), advance_usd: round(advance), remaining: Math.round(remaining * 100) / 100 };
}

function round(usd: number): number {
  return Math.round(usd * 1e8) / 1e8;
}
