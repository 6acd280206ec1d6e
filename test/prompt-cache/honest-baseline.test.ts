import { Redis } from 'ioredis';
import { Catalog } from '../../shared/core/catalog/catalog';
import { CostLedger } from '../../shared/core/accounting/cost-ledger';
import { priceUsage } from '../../shared/core/accounting/pricing';
import type { ChatMessage, ChatRequest } from '../../shared/core/chat-model';
import { AnywayCacheEstimator } from '../../shared/levers/prompt-cache/anyway-cache';
import { autoCachedTokens, CacheSession, prefixBlocks } from '../../shared/levers/prompt-cache/cache-billing';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis';

const catalog = Catalog.load();
const openai = catalog.byTier('frontier', 'openai')[0];
const anthropic = catalog.byTier('mid', 'anthropic')[0] ?? catalog.byTier('frontier', 'anthropic')[0];
const prefix = uniquePrefix('pc-honest');
let redis: Redis;
beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis.disconnect();
  await deletePrefix(prefix);
});

const SYSTEM = 'You are a support agent. Follow the refund policy to the letter and verify identity first. '.repeat(70);
function chat(turns: number, marker = false): ChatRequest {
  const messages: ChatMessage[] = [];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'user', content: [{ type: 'text', text: `Question ${i}: what about order ORD-${1000 + i}? ${'details '.repeat(40)}` }] });
    messages.push({ role: 'assistant', content: [{ type: 'text', text: `Order ORD-${1000 + i} shipped on 2026-11-${10 + i}.` }] });
  }
  messages.push({ role: 'user', content: [{ type: 'text', text: 'And the refund?' }] });
  return { model: openai.id, system: [{ type: 'text', text: SYSTEM, ...(marker ? { cache_control: { type: 'ephemeral' as const } } : {}) }], messages, sampling: {} };
}

describe('provider cache billing model', () => {
  it('OpenAI: automatic prefix caching from 1,024 tokens in 128-token steps, nothing under it', () => {
    expect(autoCachedTokens(1023)).toBe(0);
    expect(autoCachedTokens(1024)).toBe(1024);
    expect(autoCachedTokens(1151)).toBe(1024);
    expect(autoCachedTokens(1152)).toBe(1152);
    const session = new CacheSession('auto');
    expect(session.bill(chat(2)).cached_input_tokens).toBe(0);
    const second = session.bill(chat(3));
    const shared = prefixBlocks(chat(2)).at(-2)!.tokens; // everything but the last user turn is shared
    expect(second.cached_input_tokens).toBe(autoCachedTokens(shared));
    expect(second.cache_write_tokens).toBe(0);
  });

  it('Anthropic: only at breakpoints; the first call writes, the next reads', () => {
    const none = new CacheSession('breakpoints', anthropic.min_cacheable_tokens);
    none.bill(chat(2));
    expect(none.bill(chat(3))).toMatchObject({ cached_input_tokens: 0, cache_write_tokens: 0 });
    const marked = new CacheSession('breakpoints', anthropic.min_cacheable_tokens);
    const first = marked.bill(chat(2, true));
    const system = prefixBlocks(chat(2, true))[0].tokens;
    expect(first).toMatchObject({ cached_input_tokens: 0, cache_write_tokens: system });
    expect(marked.bill(chat(3, true))).toMatchObject({ cached_input_tokens: system, cache_write_tokens: 0 });
  });
});

describe('caching the request as sent would have had anyway', () => {
  it('is estimated from the tenant’s prefix history: OpenAI automatic caching, Anthropic only with the caller’s markers', async () => {
    const estimator = new AnywayCacheEstimator(redis, `${prefix}:`);
    const [o1, a1] = await estimator.estimate('acme', chat(2), [openai, anthropic]);
    expect(o1.cached_input_tokens + a1.cached_input_tokens).toBe(0);
    const [o2, a2] = await estimator.estimate('acme', chat(3), [openai, anthropic]);
    expect(o2.cached_input_tokens).toBeGreaterThan(1024);
    expect(a2).toMatchObject({ cached_input_tokens: 0, cache_write_tokens: 0 });
    // Another tenant never shares a history.
    const [other] = await estimator.estimate('globex', chat(3), [openai]);
    expect(other.cached_input_tokens).toBe(0);
    // The caller's own marker: written on the first call, read on the next.
    const [, w] = await estimator.estimate('initech', chat(2, true), [openai, anthropic]);
    expect(w.cache_write_tokens).toBeGreaterThan(0);
    const [, r] = await estimator.estimate('initech', chat(3, true), [openai, anthropic]);
    expect(r.cached_input_tokens).toBe(w.cache_write_tokens);
  });

  it('is part of the baseline; the prompt_cache lever is credited only beyond it', () => {
    const usage = { input_tokens: 4000, output_tokens: 100, cached_input_tokens: 3500, cache_write_tokens: 0 };
    const anyway = { cached_input_tokens: 3000, cache_write_tokens: 0 };
    const honest = new CostLedger();
    honest.recordProviderCacheAnyway(openai, anyway, openai, anyway);
    const naive = new CostLedger();
    const a = honest.price({ defaultFrontier: openai } as Catalog, openai, usage);
    const b = naive.price({ defaultFrontier: openai } as Catalog, openai, usage);
    const plain = { ...usage, cached_input_tokens: 0 };
    expect(b.baseline_usd).toBeCloseTo(priceUsage(openai, plain), 8);
    expect(a.provider_cache_anyway_usd).toBeCloseTo((3000 * (openai.price.input - openai.price.cached_input)) / 1e6, 8);
    expect(a.baseline_usd).toBeCloseTo(b.baseline_usd - a.provider_cache_anyway_usd!, 8);
    // Only the 500 extra cached tokens are Parsimony's.
    expect(a.by_lever.prompt_cache).toBeCloseTo((500 * (openai.price.input - openai.price.cached_input)) / 1e6, 8);
    expect(a.actual_usd).toBeCloseTo(b.actual_usd, 8);
    // Survives the ledger's JSON round trip (deferred jobs).
    expect(CostLedger.fromJSON(JSON.parse(JSON.stringify(honest.toJSON()))).price({ defaultFrontier: openai } as Catalog, openai, usage)).toEqual(a);
  });

  it('compaction is credited at the price of what it removed: cached reads when they would have been cached', () => {
    const ledger = new CostLedger();
    ledger.recordProviderCacheAnyway(openai, { cached_input_tokens: 5000, cache_write_tokens: 0 }, openai, { cached_input_tokens: 5000, cache_write_tokens: 0 });
    ledger.contextTokensRemoved = 2000;
    const cost = ledger.price({ defaultFrontier: openai } as Catalog, openai, { input_tokens: 4000, output_tokens: 0, cached_input_tokens: 3000, cache_write_tokens: 0 });
    expect(cost.by_lever.context).toBeCloseTo((2000 * openai.price.cached_input) / 1e6, 8);
    expect(cost.by_lever.prompt_cache).toBeCloseTo(0, 8);
  });
});
