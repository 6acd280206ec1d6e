import { Redis } from 'ioredis';
import { ContextCompactionStage } from '../../shared/levers/context/compaction-stage';
import { resolvePolicy } from '../../shared/levers/context/context-config';
import { estimateRequestTokens, estimateTokens } from '../../shared/levers/context/token-estimate';
import { priceUsage } from '../../shared/core/accounting/pricing';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis';
import { stageContext } from '../compression/stage-context';
import { agentRequest, CountingSummarizer, SMALL_MODEL, steps } from './agent-fixture';

const prefix = uniquePrefix('context-stage');
let redis: Redis;
beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis.disconnect();
  await deletePrefix(prefix);
});

describe('ContextCompactionStage', () => {
  it('records tokens removed, the summary cost as overhead, and the annotation; no cost on reuse', async () => {
    const summarizer = new CountingSummarizer();
    const stage = new ContextCompactionStage({ summarizer, redis, keyPrefix: `${prefix}:`, config: { strategy: 'summarize', window: 4, keep: 2 } });
    const request = agentRequest(steps(8));
    const ctx = stageContext(request);
    await stage.run(ctx);
    const note = ctx.annotations.context as Record<string, number | boolean | string>;
    expect(note).toMatchObject({ strategy: 'summarize', cycles: 8, compacted_cycles: 6, summary_reused: false });
    expect(note.tokens_before).toBe(estimateRequestTokens(request));
    expect(note.tokens_after).toBe(estimateRequestTokens(ctx.request));
    expect(ctx.ledger.contextTokensRemoved).toBe((note.tokens_before as number) - (note.tokens_after as number));
    const usage = { input_tokens: 1000, output_tokens: 50, cached_input_tokens: 0, cache_write_tokens: 0 };
    expect(ctx.ledger.price).toBeDefined();
    const cost = ctx.ledger.price({ defaultFrontier: SMALL_MODEL } as never, SMALL_MODEL, {
      input_tokens: note.tokens_after as number,
      output_tokens: 10,
      cached_input_tokens: 0,
      cache_write_tokens: 0,
    });
    expect(cost.overhead_usd).toBeCloseTo(priceUsage(SMALL_MODEL, usage), 8);

    const again = stageContext(agentRequest(steps(8)));
    await stage.run(again);
    expect(summarizer.calls).toBe(1);
    expect(again.annotations.context).toMatchObject({ summary_reused: true });
    expect(JSON.stringify(again.request.messages)).toBe(JSON.stringify(ctx.request.messages));
    expect(again.ledger.price({ defaultFrontier: SMALL_MODEL } as never, SMALL_MODEL, { input_tokens: 10, output_tokens: 1, cached_input_tokens: 0, cache_write_tokens: 0 }).overhead_usd).toBe(0);
  });

  it('applies per-tenant and per-agent settings (metadata.agent)', async () => {
    const config = { strategy: 'mask' as const, window: 4, keep: 2, tenants: { acme: { window: 6, agents: { planner: { enabled: false }, coder: { window: 2, keep: 1 } } } } };
    const stage = new ContextCompactionStage({ config });
    const run = async (tenant: string, agent?: string) => {
      const ctx = stageContext(agentRequest(steps(5)), tenant, agent ? { agent } : undefined);
      await stage.run(ctx);
      return ctx.annotations.context as { compacted_cycles: number } | undefined;
    };
    expect((await run('other'))!.compacted_cycles).toBe(2); // defaults: window 4, keep 2
    expect((await run('acme'))!.compacted_cycles).toBe(0); // window 6
    expect(await run('acme', 'planner')).toBeUndefined(); // disabled
    expect((await run('acme', 'coder'))!.compacted_cycles).toBe(4);
    expect(resolvePolicy(config, 'acme', 'coder')).toMatchObject({ strategy: 'mask', window: 2, keep: 1 });
  });

  it('leaves short conversations untouched', async () => {
    const request = agentRequest(steps(2));
    const ctx = stageContext(request);
    await new ContextCompactionStage({ summarizer: new CountingSummarizer(), config: { window: 4, keep: 2 } }).run(ctx);
    expect(ctx.request).toBe(request);
    expect(ctx.ledger.contextTokensRemoved).toBe(0);
  });
});

describe('estimateTokens', () => {
  it('behaves like a BPE count on prose, JSON and ids', () => {
    expect(estimateTokens('')).toBe(0);
    const prose = 'The quick brown fox jumps over the lazy dog and then runs away into the forest.';
    expect(estimateTokens(prose)).toBeGreaterThanOrEqual(15);
    expect(estimateTokens(prose)).toBeLessThanOrEqual(20);
    expect(estimateTokens('{"flight_number": "HAT113", "price": 117}')).toBeGreaterThan(10);
    expect(estimateTokens('1234567')).toBe(3);
    expect(estimateTokens(prose + prose)).toBe(2 * estimateTokens(prose));
  });
});
