import type { ModelEntry } from '../../core/catalog/catalog';
import type { CacheControl, ChatMessage, ChatRequest, ChatResponse, ContentPart } from '../../core/chat-model';
import { priceUsage, roundUsd } from '../../core/accounting/pricing';
import { estimateMessageTokens, estimateSystemTokens, estimateToolsTokens } from '../context/token-estimate';

/**
 * Prompt caching across a provider batch. The requests of one batch run
 * concurrently at the provider and do not read each other's cache writes, so
 * a group sharing a long prefix pays the full input price on every line. One
 * synchronous request first — the group's first request, cut to one output
 * token — writes the shared prefix into the provider's cache; the batch's
 * lines then read it. When the batch may outlast the default cache lifetime
 * (about 5 minutes), lines and warm-up ask for the longer one: Anthropic
 * 1-hour breakpoints, OpenAI `prompt_cache_retention: "24h"`. The warm-up is paid at the
 * standard price and charged to the group's jobs as overhead.
 */

/** A warm-up plan for one group, or why there is none. */
export type WarmupPlan = { warm: true; request: ChatRequest; prefixTokens: number; sharing: number; sampled: number; expectedSavingUsd: number; costUsd: number } | { warm: false; reason: string };

/** Share of the sampled requests that must share the prefix. */
const MIN_SHARING = 0.8;

/** Tokens of the leading part two requests have in common: system, tools, then identical leading messages. */
export function sharedPrefixTokens(a: ChatRequest, b: ChatRequest): number {
  if (JSON.stringify(a.system) !== JSON.stringify(b.system) || JSON.stringify(a.tools ?? []) !== JSON.stringify(b.tools ?? [])) return 0;
  let tokens = estimateSystemTokens(a) + estimateToolsTokens(a.tools);
  for (let i = 0; i < Math.min(a.messages.length, b.messages.length); i++) {
    if (!sameMessage(a.messages[i], b.messages[i])) break;
    tokens += estimateMessageTokens(a.messages[i]);
  }
  return tokens;
}

function sameMessage(a: ChatMessage, b: ChatMessage): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Whether warming is worth it for a group of `size` requests whose first
 * `sample` were read: the prefix shared by most of the sample must reach the
 * provider's minimum cacheable length, and the expected saving (every other
 * line reading it at the cached price instead of the input price, at the
 * batch discount) must exceed the warm-up's standard price.
 */
export function planWarmup(sample: readonly ChatRequest[], size: number, model: ModelEntry, longTtl: boolean): WarmupPlan {
  if (sample.length < 2 || size < 2) return { warm: false, reason: 'fewer than 2 requests' };
  const [first, ...rest] = sample;
  const shared = rest.map((r) => sharedPrefixTokens(first, r)).sort((x, y) => y - x);
  const prefixTokens = shared[Math.max(0, Math.ceil(MIN_SHARING * shared.length) - 1)];
  const minimum = model.min_cacheable_tokens;
  if (prefixTokens < minimum) return { warm: false, reason: `shared prefix ~${prefixTokens} tokens < ${minimum} cacheable` };
  const request = warmupRequest(first, model, longTtl);
  const firstTokens = estimateSystemTokens(first) + estimateToolsTokens(first.tools) + first.messages.reduce((n, m) => n + estimateMessageTokens(m), 0);
  const writeShare = model.provider === 'anthropic' ? prefixTokens : 0;
  const costUsd = priceUsage(model, { input_tokens: firstTokens, output_tokens: 1, cached_input_tokens: 0, cache_write_tokens: writeShare });
  const perLine = ((model.price.input - model.price.cached_input) * prefixTokens * (1 - model.batch_discount)) / 1_000_000;
  const expectedSavingUsd = perLine * (size - 1) * MIN_SHARING;
  if (expectedSavingUsd <= costUsd) return { warm: false, reason: `expected saving ${roundUsd(expectedSavingUsd)} USD ≤ warm-up ${roundUsd(costUsd)} USD` };
  return {
    warm: true,
    request,
    prefixTokens,
    sharing: shared.filter((t) => t >= prefixTokens).length + 1,
    sampled: sample.length,
    expectedSavingUsd: roundUsd(expectedSavingUsd),
    costUsd: roundUsd(costUsd),
  };
}

/** The group's first request, one output token, no stream; the cache lifetime lengthened when asked. */
function warmupRequest(first: ChatRequest, model: ModelEntry, longTtl: boolean): ChatRequest {
  const request: ChatRequest = { ...first, sampling: { ...first.sampling, max_tokens: 1 }, service_tier: undefined };
  return longTtl ? withLongCacheTtl(request, model.provider) : request;
}

/** The provider's longer prompt-cache lifetime: Anthropic 1-hour breakpoints, OpenAI 24-hour retention. */
export function withLongCacheTtl(request: ChatRequest, provider: string): ChatRequest {
  if (provider === 'anthropic') return withHourBreakpoints(request);
  if (provider === 'openai') return { ...request, provider_options: { ...request.provider_options, openai: { ...request.provider_options?.openai, prompt_cache_retention: '24h' } } };
  return request;
}

/** Every cache_control breakpoint of an Anthropic-bound request with the 1-hour TTL (lines and warm-up alike). */
export function withHourBreakpoints(request: ChatRequest): ChatRequest {
  const hour = <T extends { cache_control?: CacheControl }>(part: T): T => (part.cache_control ? { ...part, cache_control: { ...part.cache_control, ttl: '1h' } } : part);
  const parts = (content: ContentPart[]): ContentPart[] => content.map((p) => (p.type === 'text' ? hour(p) : p));
  return {
    ...request,
    system: request.system.map(hour),
    tools: request.tools?.map(hour),
    messages: request.messages.map((m): ChatMessage => (m.role === 'tool' ? m : { ...m, content: parts(m.content) })),
  };
}

/** What the warm-up cost, from the provider's usage, at the standard price. */
export function warmupCostUsd(model: ModelEntry, response: ChatResponse): number {
  return roundUsd(priceUsage(model, response.usage));
}
