import { Redis } from 'ioredis';
import { Catalog } from '../../shared/core/catalog/catalog';
import { ContextCompactionStage } from '../../shared/levers/context/compaction-stage';
import { compactionPays } from '../../shared/levers/context/cost-model';
import { compactionBoundary, DEFAULT_POLICY } from '../../shared/levers/context/context-config';
import { ChainStats, estimateRemaining } from '../../shared/levers/context/chain-stats';
import { CacheSession, cachingKindOf, prefixBlocks } from '../../shared/levers/prompt-cache/cache-billing';
import { PromptCacheStage } from '../../shared/levers/prompt-cache/prompt-cache-stage';
import type { ChatRequest } from '../../shared/core/chat-model';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis';
import { stageContext } from '../compression/stage-context';
import { agentRequest, CountingSummarizer, steps } from './agent-fixture';

const catalog = Catalog.load();
const openai = catalog.tierDefault('openai', 'frontier') ?? catalog.byTier('frontier', 'openai')[0];
// The Anthropic frontier model with the largest minimum cacheable prefix (the case the cost model must see).
const anthropic = [...catalog.byTier('frontier', 'anthropic')].sort((a, b) => b.min_cacheable_tokens - a.min_cacheable_tokens)[0];
const prefix = uniquePrefix('context-cost');
let redis: Redis;
beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis.disconnect();
  await deletePrefix(prefix);
});

/** The agent fixture with a long system prompt, so prefixes reach the providers' cacheable minimum. */
function bigAgent(cycles: number): ChatRequest {
  const r = agentRequest(steps(cycles));
  // Tool outputs the size of real search results (a list of flights), so compacting them is worth a summary.
  const rows = (id: string) => Array.from({ length: 14 }, (_, k) => ({ flight: `HAT${k}${id.length}`, seats: { economy: k, business: 9 - (k % 9) }, price: 100 + k, status: 'available' }));
  const messages = r.messages.map((m) => (m.role === 'tool' ? { ...m, content: JSON.stringify({ head: JSON.parse(m.content), rows: rows(m.tool_call_id) }) } : m));
  return { ...r, messages, system: [{ type: 'text', text: `${r.system[0].text}\n${'Policy: verify the user, confirm every change, never guess ids. '.repeat(120)}` }] };
}

describe('compaction cost model', () => {
  const base = { stayTokens: 3600, advanceTokens: 3000, newTokens: 400, headTokens: 2000, growth: 400, summaryUsd: 0.0005 };

  it('advances when many calls will read the smaller prefix, skips when the chain is about to end', () => {
    // Two thirds of a long prefix removed: every later call reads far less.
    expect(compactionPays({ ...base, stayTokens: 9000, model: openai, remaining: 12 }).decision).toBe('advance');
    // A sixth removed on the last call: the rewritten prefix costs more than the reads it saves.
    expect(compactionPays({ ...base, model: openai, remaining: 0 }).decision).toBe('skip');
  });

  it('skips a compaction whose summary costs more than the cache reads it saves', () => {
    const d = compactionPays({ ...base, model: openai, remaining: 6, summaryUsd: 0.5 });
    expect(d.decision).toBe('skip');
    expect(d.advance_usd).toBeGreaterThan(d.stay_usd);
  });

  it('sees that a prompt pushed under Anthropic’s minimum cacheable length loses its cache reads', () => {
    const min = anthropic.min_cacheable_tokens;
    // Staying: a cached prefix above the minimum; advancing: well under it, so every later call pays full input.
    const d = compactionPays({ model: anthropic, stayTokens: min + 600, advanceTokens: Math.floor(min / 2), newTokens: 100, headTokens: 300, growth: 100, remaining: 8, summaryUsd: 0 });
    expect(d.decision).toBe('skip');
  });

  it('learns expected remaining calls per tenant and agent from recorded chains', async () => {
    expect(estimateRemaining([], 3, 6, 3)).toBe(6);
    expect(estimateRemaining([10, 10, 10, 10, 10, 10], 4, 6, 3)).toBeCloseTo((36 + 18) / 9, 6);
    const stats = new ChainStats(redis, { keyPrefix: `${prefix}:` });
    for (let s = 0; s < 5; s++) for (let c = 1; c <= 20; c++) stats.record('acme', 'planner', `s${s}`, c);
    await new Promise((r) => setTimeout(r, 50));
    const fresh = new ChainStats(redis, { keyPrefix: `${prefix}:` });
    await fresh.load('acme', 'planner');
    expect(fresh.expectedRemaining('acme', 'planner', 5, 2)).toBeCloseTo((5 * 15 + 3 * 2) / 8, 6);
    expect(fresh.expectedRemaining('acme', 'other-agent', 5, 2)).toBe(2);
  });
});

describe('ContextCompactionStage with the cost model', () => {
  it('skips a compaction that would not pay: request unchanged, no summary written, decision recorded', async () => {
    // An expensive summariser and a chain expected to end now: advancing cannot pay.
    const summarizer = new CountingSummarizer();
    const pricey = { ...catalog.byTier('frontier', 'anthropic')[0], price: { input: 500, cached_input: 500, cache_write: 500, output: 5000 } };
    Object.assign(summarizer, { model: pricey });
    const stage = new ContextCompactionStage({ summarizer, redis, keyPrefix: `${prefix}:skip:`, config: { defaultRemainingCalls: 0 } });
    const request = bigAgent(8);
    const ctx = stageContext(request, 'acme', { agent: 'skipper' });
    ctx.model = openai;
    await stage.run(ctx);
    expect(ctx.request).toBe(request);
    expect(summarizer.calls).toBe(0);
    expect(ctx.annotations.context).toMatchObject({ compacted_cycles: 0, cost_model: { decision: 'skip', proposed: compactionBoundary(8, DEFAULT_POLICY.window, DEFAULT_POLICY.keep) } });
    expect(ctx.ledger.contextTokensRemoved).toBe(0);
    // The same step on a later call reuses the stored decision (no re-deciding, same prefix).
    const later = stageContext(bigAgent(8), 'acme', { agent: 'skipper' });
    later.model = openai;
    await stage.run(later);
    expect(later.annotations.context).toMatchObject({ compacted_cycles: 0 });
    expect((later.annotations.context as { cost_model?: unknown }).cost_model).toBeUndefined();
  });

  it('keeps a compacted prefix byte-identical across the next three calls, so the provider reads it from cache', async () => {
    const summarizer = new CountingSummarizer();
    const stage = new ContextCompactionStage({ summarizer, redis, keyPrefix: `${prefix}:stable:`, config: { window: 4, keep: 1, defaultRemainingCalls: 20 } });
    const promptCache = new PromptCacheStage({ catalog });
    const session = new CacheSession(cachingKindOf(openai), openai.min_cacheable_tokens);
    const sent: ChatRequest[] = [];
    const cached: number[] = [];
    let stable = 0;
    for (const n of [4, 5, 6]) {
      const ctx = stageContext(bigAgent(n), 'acme', { agent: 'stable' });
      ctx.model = openai;
      await stage.run(ctx);
      const note = ctx.annotations.context as { compacted_cycles: number; stable_prefix_messages: number; cost_model?: { decision: string } };
      if (n === 4) {
        expect(note.cost_model?.decision).toBe('advance');
        stable = note.stable_prefix_messages;
      }
      expect(note.compacted_cycles).toBe(3);
      await promptCache.run(ctx);
      sent.push(ctx.request);
      cached.push(session.bill(ctx.request).cached_input_tokens);
    }
    // A third later call: the user adds a turn before the next cycle; still the same compacted prefix.
    const grown = bigAgent(6);
    grown.messages.push({ role: 'user', content: [{ type: 'text', text: 'Also check June 4th.' }] });
    const fourth = stageContext(grown, 'acme', { agent: 'stable' });
    fourth.model = openai;
    await stage.run(fourth);
    sent.push(fourth.request);
    expect(stable).toBeGreaterThan(0);
    const prefixOf = (r: ChatRequest) => JSON.stringify({ system: r.system, messages: r.messages.slice(0, stable) });
    for (const r of sent.slice(1)) expect(prefixOf(r)).toBe(prefixOf(sent[0]));
    expect(summarizer.calls).toBe(1);
    // Billing: the first compacted call writes (reads only system), the later ones read the whole compacted prefix.
    const prefixTokens = prefixBlocks({ ...sent[0], messages: sent[0].messages.slice(0, stable) }).at(-1)!.tokens;
    expect(cached[1]).toBeGreaterThanOrEqual(prefixTokens - 128);
    expect(cached[2]).toBeGreaterThanOrEqual(cached[1]);
  });
});
