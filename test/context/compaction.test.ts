import fc from 'fast-check';
import { Redis } from 'ioredis';
import { ContextCompactor } from '../../shared/levers/context/compactor';
import { compactionBoundary, resolvePolicy, type CompactionStrategy } from '../../shared/levers/context/context-config';
import { buildFactsLedger } from '../../shared/levers/context/facts-ledger';
import { collectIdentifiers } from '../../shared/levers/context/identifiers';
import { estimateTokens } from '../../shared/levers/context/token-estimate';
import { RedisSummaryStore } from '../../shared/levers/context/summary-store';
import { anthropicAlternationProblems, toolPairingProblems } from '../../shared/levers/context/tool-cycles';
import { chatRequestToAnthropicParams } from '../../shared/providers/anthropic/to-anthropic';
import type { ChatRequest } from '../../shared/core/chat-model';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis';
import { agentRequest, CountingSummarizer, steps, SYSTEM_PROMPT, TASK, type StepShape } from './agent-fixture';

const STRATEGIES: CompactionStrategy[] = ['mask', 'summarize', 'mask+summarize'];
const prefix = uniquePrefix('context-compaction');
let redis: Redis;

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis.disconnect();
  await deletePrefix(prefix);
});

function newStore(localEntries = 0) {
  return new RedisSummaryStore(redis, { keyPrefix: `${prefix}:`, localEntries });
}

/** Anthropic-side invariants after the real mapping: alternation, tool_result answers the previous tool_use. */
function anthropicProblems(request: ChatRequest): string[] {
  const params = chatRequestToAnthropicParams(request, { id: 'claude-sonnet-4-6', max_output_tokens: 1000 });
  const problems: string[] = [];
  params.messages.forEach((m, i) => {
    if (i === 0 && m.role !== 'user') problems.push('first turn is not user');
    if (i > 0 && params.messages[i - 1].role === m.role) problems.push(`turn ${i} repeats role ${m.role}`);
    const blocks = Array.isArray(m.content) ? m.content : [];
    for (const b of blocks) {
      if (b.type !== 'tool_result') continue;
      const prev = params.messages[i - 1];
      const uses = Array.isArray(prev?.content) ? prev.content.filter((x) => x.type === 'tool_use').map((x) => (x as { id: string }).id) : [];
      if (!uses.includes(b.tool_use_id)) problems.push(`tool_result ${b.tool_use_id} without its tool_use`);
    }
  });
  return problems;
}

describe('compactionBoundary', () => {
  it('advances in steps of window − keep and leaves fewer than window cycles uncompacted', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => compactionBoundary(n, 4, 2))).toEqual([0, 0, 0, 0, 2, 2, 4, 4, 6, 6]);
    expect([3, 4, 5, 7, 8].map((n) => compactionBoundary(n, 4, 0))).toEqual([0, 4, 4, 4, 8]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 9 }), (n, window, k) => {
        const keep = Math.min(k, window - 1);
        const b = compactionBoundary(n, window, keep);
        return b >= 0 && b <= n && n - b < Math.max(window, keep + 1) && (n < window || n - b >= keep);
      }),
    );
  });
});

describe('ContextCompactor', () => {
  it.each(STRATEGIES)('%s keeps tool pairing and alternation valid for both wire formats', async (strategy) => {
    const shapeArb = fc.array(fc.record({ calls: fc.integer({ min: 1, max: 3 }), chat: fc.boolean() }), { minLength: 0, maxLength: 14 });
    await fc.assert(
      fc.asyncProperty(shapeArb, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 5 }), async (shape: StepShape[], window, keep) => {
        const request = agentRequest(shape);
        const compactor = new ContextCompactor({ summarizer: new CountingSummarizer() });
        const { request: out } = await compactor.compact(request, resolvePolicy({ strategy, window, keep }, 't'), { tenant: 't' });
        expect(toolPairingProblems(out.messages)).toEqual([]);
        expect(anthropicAlternationProblems(out.messages)).toEqual([]);
        expect(anthropicProblems(out)).toEqual([]);
        // The conversation never ends on an assistant turn (a prefill) unless the original did.
        const side = (r: string) => (r === 'assistant' ? 'assistant' : 'user');
        expect(side(out.messages[out.messages.length - 1].role)).toBe(side(request.messages[request.messages.length - 1].role));
      }),
      { numRuns: 60 },
    );
  });

  it.each(STRATEGIES)('%s keeps the system prompt and the task verbatim and removes tokens', async (strategy) => {
    const request = agentRequest(steps(9));
    const original = JSON.stringify(request);
    const out = await new ContextCompactor({ summarizer: new CountingSummarizer() }).compact(request, resolvePolicy({ window: 4, keep: 2, strategy }, 't'), { tenant: 't' });
    expect(JSON.stringify(request)).toBe(original); // input untouched
    expect(out.request.system).toEqual([{ type: 'text', text: SYSTEM_PROMPT }]);
    const first = out.request.messages[0];
    expect(first.role).toBe('user');
    expect(first.role === 'user' && first.content[0]).toEqual({ type: 'text', text: TASK });
    expect(out.stats.cycles).toBe(9);
    expect(out.stats.compacted_cycles).toBe(6);
    expect(out.stats.tokens_after).toBeLessThan(out.stats.tokens_before);
    // The last `keep` cycles stay raw.
    expect(out.request.messages.slice(-4)).toEqual(request.messages.slice(-4));
  });

  it('keeps facts (ids, amounts, dates) of compacted tool results in the summary note', async () => {
    const request = agentRequest(steps(6));
    const out = await new ContextCompactor({ summarizer: new CountingSummarizer() }).compact(request, resolvePolicy({ window: 4, keep: 2, strategy: 'summarize' }, 't'), { tenant: 't' });
    const text = JSON.stringify(out.request.messages);
    for (const fact of ['HAT200', 'HAT303', '2024-06-04', '121', 'R2X0', 'gift_card_7001']) expect(text).toContain(fact);
    expect(text).toContain('Summary 1');
  });

  it('compact facts keep every identifier of the span at a fraction of the labelled ledger', () => {
    const span = agentRequest(steps(6)).messages.slice(1);
    const labelled = buildFactsLedger(span, { detail: 'ids' }).join('\n');
    const compact = buildFactsLedger(span, { detail: 'compact' }).join('\n');
    const ids = new Set<string>();
    for (const m of span) collectIdentifiers(m.role === 'tool' ? m.content : JSON.stringify(m), ids);
    const inCompact = new Set<string>();
    collectIdentifiers(compact, inCompact);
    for (const id of ids) if (!id.startsWith('call_')) expect(inCompact.has(id)).toBe(true);
    expect(compact).toContain('flight_number=HAT200'.replace('flight_number=', ''));
    expect(labelled).toContain('flight_number');
    expect(compact).not.toContain('flight_number');
    expect(estimateTokens(compact)).toBeLessThan(estimateTokens(labelled));
  });

  it('does nothing below the window', async () => {
    const request = agentRequest(steps(3));
    const out = await new ContextCompactor({ summarizer: new CountingSummarizer() }).compact(request, resolvePolicy({ window: 4, keep: 2 }, 't'), { tenant: 't' });
    expect(out.request).toBe(request);
    expect(out.stats.compacted_cycles).toBe(0);
  });

  it('summarises a growing conversation once per compaction step and reuses stored summaries', async () => {
    const summarizer = new CountingSummarizer();
    const compactor = new ContextCompactor({ summarizer, store: newStore() });
    const shape = steps(12);
    const policy = resolvePolicy({ window: 4, keep: 2, strategy: 'summarize' }, 'tenant-a');
    const reusedAt: number[] = [];
    for (let n = 0; n <= 12; n++) {
      const out = await compactor.compact(agentRequest(shape.slice(0, n)), policy, { tenant: 'tenant-a' });
      if (out.stats.summary_reused) reusedAt.push(n);
    }
    // Boundaries 2, 4, 6, 8, 10 at n = 4, 6, 8, 10, 12: one call each; n = 5, 7, 9, 11 reuse.
    expect(summarizer.calls).toBe(5);
    expect(reusedAt).toEqual([5, 7, 9, 11]);
    // Incremental: the later summaries start from the stored one, not from the whole history.
    const second = summarizer.inputs[1].messages;
    expect(second[1]).toEqual({ role: 'user', content: [{ type: 'text', text: 'Summary so far:\nSummary 1: the agent looked up reservations for ABC123.' }] });
    expect(JSON.stringify(second)).not.toContain('call_0_0');

    // Another instance (another process) replaying the same conversation makes no new call.
    const replay = new CountingSummarizer();
    const other = new ContextCompactor({ summarizer: replay, store: newStore() });
    for (let n = 0; n <= 12; n++) await other.compact(agentRequest(shape.slice(0, n)), policy, { tenant: 'tenant-a' });
    expect(replay.calls).toBe(0);
    // …but another tenant does not see tenant-a's summaries.
    await other.compact(agentRequest(shape.slice(0, 4)), policy, { tenant: 'tenant-b' });
    expect(replay.calls).toBe(1);
  });

  it.each(STRATEGIES)('%s: the compacted prefix is byte-identical between compaction steps', async (strategy) => {
    const compactor = new ContextCompactor({ summarizer: new CountingSummarizer(), store: newStore(100) });
    const shape = steps(9, { chat: true });
    const policy = resolvePolicy({ window: 4, keep: 2, strategy }, 't');
    const prefixes: string[] = [];
    for (const n of [6, 7]) {
      const out = await compactor.compact(agentRequest(shape.slice(0, n)), policy, { tenant: 't' });
      expect(out.stats.compacted_cycles).toBe(4);
      prefixes.push(JSON.stringify(out.request.messages.slice(0, out.stats.stable_prefix_messages)));
    }
    expect(prefixes[1]).toBe(prefixes[0]);
    // And the previous call's full compacted request is a prefix of the next one's messages up to the raw tail.
    const next = await compactor.compact(agentRequest(shape.slice(0, 8)), policy, { tenant: 't' });
    expect(JSON.stringify(next.request.messages.slice(0, next.stats.stable_prefix_messages))).not.toBe(prefixes[0]);
  });

  it('reuses the summary when the client moves a cache_control marker between calls', async () => {
    const summarizer = new CountingSummarizer();
    const compactor = new ContextCompactor({ summarizer, store: newStore() });
    const policy = resolvePolicy({ window: 4, keep: 2, strategy: 'summarize' }, 't');
    const first = agentRequest(steps(5, { chat: true }));
    const second = agentRequest(steps(5, { chat: true }));
    // The client marked an early message in one call and not in the other.
    const early = second.messages.findIndex((m) => m.role === 'assistant' && m.content.length > 0);
    const m = second.messages[early] as Extract<ChatRequest['messages'][number], { role: 'assistant' }>;
    second.messages[early] = { ...m, content: [{ ...(m.content[0] as { type: 'text'; text: string }), cache_control: { type: 'ephemeral' } }] };
    await compactor.compact(first, policy, { tenant: 't' });
    const out = await compactor.compact(second, policy, { tenant: 't' });
    expect(out.stats.summary_reused).toBe(true);
    expect(summarizer.calls).toBe(1);
  });

  it('falls back to masking when the summariser fails, still valid', async () => {
    const out = await new ContextCompactor({ summarizer: new CountingSummarizer(true), store: newStore() }).compact(
      agentRequest(steps(8)),
      resolvePolicy({ window: 4, keep: 2, strategy: 'summarize' }, 't'),
      { tenant: 't' },
    );
    expect(out.stats.fallback).toMatch(/^mask/);
    expect(out.stats.tokens_after).toBeLessThan(out.stats.tokens_before);
    expect(toolPairingProblems(out.request.messages)).toEqual([]);
  });

  it('mask keeps every message and only shortens old tool outputs', async () => {
    const request = agentRequest(steps(6));
    const out = await new ContextCompactor().compact(request, resolvePolicy({ window: 4, keep: 2, strategy: 'mask' }, 't'), { tenant: 't' });
    expect(out.request.messages).toHaveLength(request.messages.length);
    const masked = out.request.messages.filter((m) => m.role === 'tool' && m.content.includes('masked by Parsimony'));
    expect(masked).toHaveLength(4);
    expect(masked[0].role === 'tool' && masked[0].content).toMatch(/get_reservation output masked by Parsimony: \d+ chars; facts: .*HAT200/);
  });
});
