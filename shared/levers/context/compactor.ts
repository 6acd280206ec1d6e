import type { ModelEntry } from '../../core/catalog/catalog';
import type { ChatMessage, ChatRequest, Usage } from '../../core/chat-model';
import { compactionBoundary, type CompactionPolicy } from './context-config';
import { chooseBoundary, type BoundaryChoice } from './compaction-decision';
import type { RemainingCallsEstimator } from './chain-stats';
import { buildFactsLedger } from './facts-ledger';
import { prefixKeys, sessionId, SUMMARY_TOKENS_ESTIMATE } from './prefix-key';
import { keptVerbatim, maskSpan, placeBlock, previewSpan, renderBlock, SUMMARIZER_PREVIEW_CHARS } from './span-rewrite';
import { SUMMARY_INSTRUCTIONS, type Summarizer } from './summarizer';
import type { StoredSummary, SummaryStore } from './summary-store';
import { anthropicAlternationProblems, scanToolCycles, toolPairingProblems, type ToolCycle } from './tool-cycles';
import { estimateMessagesTokens, estimateSystemTokens, estimateTokens, estimateToolsTokens, MESSAGE_OVERHEAD_TOKENS, REQUEST_OVERHEAD_TOKENS } from './token-estimate';

/** What one compaction did; becomes `ctx.annotations.context`. */
export interface CompactionStats {
  strategy: CompactionPolicy['strategy'];
  /** Complete tool cycles in the request. */
  cycles: number;
  /** Cycles replaced (summary) or masked. */
  compacted_cycles: number;
  tokens_before: number;
  tokens_after: number;
  /** A stored summary of the same prefix was reused (no summariser call). */
  summary_reused: boolean;
  /** Estimated tokens of the compacted messages (before) and of what replaced them (note / placeholders). */
  replaced_tokens: number;
  replacement_tokens: number;
  /** Messages at the start of the compacted request that are stable until the next compaction step. */
  stable_prefix_messages: number;
  /** Set when summarising failed and the stage fell back to masking, or when compaction was skipped. */
  fallback?: string;
  /** The cost model's decision, on the call that made it (later calls of the step reuse it). */
  cost_model?: BoundaryChoice['cost'];
}

export interface CompactionOutcome {
  /** The compacted request (a new object), or the input itself when nothing changed. */
  request: ChatRequest;
  stats: CompactionStats;
  /** Usage of the summariser call made for this request, if one was made. */
  summarizerUsage?: { usage: Usage; model: ModelEntry };
}

export interface CompactorDeps {
  /** Needed for `summarize` and `mask+summarize`; without it those fall back to `mask`. */
  summarizer?: Summarizer;
  /** Needed to reuse summaries across calls; without it every call summarises again. */
  store?: SummaryStore;
  /** Expected remaining calls per tenant and agent (the cost model's input); default a fixed estimate. */
  remaining?: RemainingCallsEstimator;
}

export interface CompactScope {
  tenant: string;
  signal?: AbortSignal;
  /** The model the call goes to: with it (and `policy.costModel`) a compaction step is taken only when it pays. */
  model?: ModelEntry;
  /** `metadata.agent`, for the learned chain lengths. */
  agent?: string;
  /** Tool call ids whose results the caller marked as needed: never masked, and copied verbatim into a summary note. */
  keep?: ReadonlySet<string>;
}

/**
 * Rolling compaction of agent tool cycles (see docs in compaction-stage.ts).
 * Stateless for the client: every call recomputes the same boundary from the
 * full history; the summary of a prefix is stored under a hash of that prefix
 * and reused verbatim by every later call that shares it.
 */
export class ContextCompactor {
  private readonly systemTokens = new Map<string, number>();
  private lastKeys?: { messages: ChatMessage[]; policy: CompactionPolicy; tenant: string; keys: Map<number, string> };

  constructor(private readonly deps: CompactorDeps = {}) {}

  async compact(request: ChatRequest, policy: CompactionPolicy, scope: CompactScope): Promise<CompactionOutcome> {
    const messages = request.messages;
    const headEnd = messages.findIndex((m) => m.role === 'user') + 1;
    const scan = headEnd > 0 ? scanToolCycles(messages, headEnd) : { cycles: [] as ToolCycle[], brokenAt: -1 };
    const n = scan.cycles.length;
    let boundary = policy.enabled ? compactionBoundary(n, policy.window, policy.keep) : 0;
    let costNote: BoundaryChoice['cost'];
    if (headEnd > 0 && scope.model && policy.costModel) {
      const callIndex = 1 + messages.reduce((k, m) => k + (m.role === 'assistant' ? 1 : 0), 0);
      const agent = scope.agent ?? '-';
      const remaining = this.deps.remaining;
      if (boundary > 0) {
        const choice = await this.decide(
          request,
          scan.cycles,
          boundary,
          headEnd,
          policy,
          scope,
          remaining ? remaining.expectedRemaining(scope.tenant, agent, callIndex, policy.defaultRemainingCalls) : policy.defaultRemainingCalls,
        );
        boundary = choice.boundary;
        costNote = choice.cost;
      }
      remaining?.record(scope.tenant, agent, sessionId(request, headEnd), callIndex);
    }
    const base: CompactionStats = {
      strategy: policy.strategy,
      cycles: n,
      compacted_cycles: 0,
      tokens_before: 0,
      tokens_after: 0,
      summary_reused: false,
      replaced_tokens: 0,
      replacement_tokens: 0,
      stable_prefix_messages: 0,
    };
    if (costNote) base.cost_model = costNote;
    if (boundary === 0) {
      const tokens = this.fixedTokens(request) + estimateMessagesTokens(messages);
      return { request, stats: { ...base, tokens_before: tokens, tokens_after: tokens } };
    }
    const spanEnd = scan.cycles[boundary - 1].end;
    const head = messages.slice(0, headEnd);
    const span = messages.slice(headEnd, spanEnd);
    const tail = messages.slice(spanEnd);
    // Token accounting is additive per message, so the span (often most of the
    // request) is estimated only when it is not known from the stored summary.
    const keptTokens = this.fixedTokens(request) + estimateMessagesTokens(head) + estimateMessagesTokens(tail);

    let compacted: ChatMessage[];
    let stablePrefix: number;
    let spanTokens: number;
    let replacementTokens: number;
    let reused = false;
    let fallback: string | undefined;
    let summarizerUsage: CompactionOutcome['summarizerUsage'];
    const masked = (): ChatMessage[] => {
      const m = maskSpan(span, policy, scope.keep);
      spanTokens = estimateMessagesTokens(span);
      replacementTokens = estimateMessagesTokens(m);
      stablePrefix = spanEnd;
      return [...head, ...m, ...tail];
    };
    if (policy.strategy === 'mask' || !this.deps.summarizer) {
      if (policy.strategy !== 'mask') fallback = 'mask: no summarizer configured';
      compacted = masked();
    } else {
      try {
        const got = await this.summaryBlock(messages, scan.cycles, boundary, headEnd, policy, scope);
        reused = got.reused;
        summarizerUsage = got.usage;
        const kept = keptVerbatim(span, scope.keep);
        compacted = placeBlock(head, got.stored.block + kept, tail);
        stablePrefix = compacted.length - tail.length;
        spanTokens = got.stored.replaced_tokens;
        // As an extra part of the task message, or as its own assistant message.
        replacementTokens = got.stored.block_tokens + (kept ? estimateTokens(kept) : 0) + (compacted.length === head.length + 1 + tail.length ? MESSAGE_OVERHEAD_TOKENS : 0);
      } catch (err) {
        fallback = `mask: summary unavailable (${(err as Error).message})`;
        compacted = masked();
      }
    }
    const tokensBefore = keptTokens + spanTokens!;
    const tokensAfter = keptTokens + replacementTokens!;

    // Never hand a provider a conversation the original would not have passed.
    if (
      (toolPairingProblems(compacted).length > 0 && toolPairingProblems(messages).length === 0) ||
      (anthropicAlternationProblems(compacted).length > 0 && anthropicAlternationProblems(messages).length === 0)
    ) {
      return { request, stats: { ...base, tokens_before: tokensBefore, tokens_after: tokensBefore, fallback: 'skipped: compaction would break tool pairing or alternation' }, summarizerUsage };
    }
    const out: ChatRequest = { ...request, messages: compacted };
    return {
      request: out,
      stats: {
        ...base,
        compacted_cycles: boundary,
        tokens_before: tokensBefore,
        tokens_after: tokensAfter,
        summary_reused: reused,
        replaced_tokens: spanTokens!,
        replacement_tokens: replacementTokens!,
        stable_prefix_messages: stablePrefix!,
        ...(fallback ? { fallback } : {}),
      },
      summarizerUsage,
    };
  }

  /** The cost model's boundary (compaction-decision.ts), with token estimates of each candidate. */
  private async decide(request: ChatRequest, cycles: ToolCycle[], proposed: number, headEnd: number, policy: CompactionPolicy, scope: CompactScope, remaining: number): Promise<BoundaryChoice> {
    const messages = request.messages;
    const fixed = this.fixedTokens(request);
    // Everything below is only computed when a decision is made (once per step); a stored decision needs none of it.
    let headMemo: number | undefined;
    const headOf = () => (headMemo ??= estimateMessagesTokens(messages.slice(0, headEnd)));
    const summarizing = policy.strategy !== 'mask' && this.deps.summarizer !== undefined;
    const keyFor = this.gridKeys(scope.tenant, policy, messages, cycles, proposed);
    const tokensAt = async (b: number): Promise<number> => {
      if (b === 0) return fixed + estimateMessagesTokens(messages);
      const end = cycles[b - 1].end;
      const rest = fixed + headOf() + estimateMessagesTokens(messages.slice(end));
      const span = messages.slice(headEnd, end);
      if (!summarizing) return rest + estimateMessagesTokens(maskSpan(span, policy));
      const [stored] = this.deps.store ? await this.deps.store.getMany([keyFor(b)]) : [undefined];
      if (stored) return rest + stored.block_tokens;
      // Not written yet: the facts ledger is exact, the prose is estimated at its usual length.
      const facts = policy.facts === 'none' ? [] : buildFactsLedger(span, { detail: policy.facts });
      return rest + estimateTokens(renderBlock('', facts, b, span.length, 0)) + SUMMARY_TOKENS_ESTIMATE;
    };
    const newTokens = () => {
      let last = messages.length - 1;
      while (last > 0 && messages[last].role !== 'assistant') last--;
      return estimateMessagesTokens(messages.slice(Math.max(headEnd, last)));
    };
    // Growth per call so far: what the chain added after its task message, over the calls it took.
    const growth = () =>
      estimateMessagesTokens(messages.slice(headEnd)) /
      Math.max(
        1,
        messages.reduce((k, m) => k + (m.role === 'assistant' ? 1 : 0), 0),
      );
    const summaryModel = this.deps.summarizer?.model;
    const summaryUsd = (b: number) => {
      if (!summarizing || !summaryModel) return 0;
      const span = messages.slice(headEnd, cycles[b - 1].end);
      const read = estimateMessagesTokens(policy.strategy === 'mask+summarize' ? previewSpan(span, SUMMARIZER_PREVIEW_CHARS) : span) + headOf() + 250;
      return (read * summaryModel.price.input + SUMMARY_TOKENS_ESTIMATE * summaryModel.price.output) / 1e6;
    };
    return chooseBoundary({
      model: scope.model!,
      policy,
      store: this.deps.store,
      proposed,
      cycles,
      keyFor,
      tokensAt,
      headTokens: fixed,
      newTokens,
      remaining,
      growth,
      summaryUsd,
    });
  }

  /**
   * Prefix keys of `top` and the grid points below it (steps of window − keep),
   * hashed in one pass; the last request's are remembered, since the cost model
   * and the summary lookup ask for the same ones.
   */
  private gridKeys(tenant: string, policy: CompactionPolicy, messages: ChatMessage[], cycles: ToolCycle[], top: number): (b: number) => string {
    const step = Math.max(1, policy.window - policy.keep);
    const grid: number[] = [];
    for (let b = top; b > 0 && grid.length <= 5; b -= step) grid.push(b);
    const memo = this.lastKeys;
    if (!(memo && memo.messages === messages && memo.policy === policy && memo.tenant === tenant && grid.every((b) => memo.keys.has(b)))) {
      const byEnd = prefixKeys(
        tenant,
        policy,
        messages,
        grid.map((b) => cycles[b - 1].end),
      );
      this.lastKeys = { messages, policy, tenant, keys: new Map(grid.map((b) => [b, byEnd.get(cycles[b - 1].end)!])) };
    }
    const keys = this.lastKeys!.keys;
    return (b) => keys.get(b) ?? prefixKeys(tenant, policy, messages, [cycles[b - 1].end]).get(cycles[b - 1].end)!;
  }

  /** Request priming + tools + system; the system estimate is memoised (it repeats on every call of an agent). */
  private fixedTokens(request: ChatRequest): number {
    const key = request.system.length === 1 ? request.system[0].text : request.system.map((p) => p.text).join('\u0000');
    let system = this.systemTokens.get(key);
    if (system === undefined) {
      system = estimateSystemTokens(request);
      if (this.systemTokens.size >= 512) this.systemTokens.delete(this.systemTokens.keys().next().value as string);
      this.systemTokens.set(key, system);
    }
    return REQUEST_OVERHEAD_TOKENS + estimateToolsTokens(request.tools) + system;
  }

  /** The stored block for this boundary, or a new one (incremental on the previous step's summary when stored). */
  private async summaryBlock(
    messages: ChatMessage[],
    cycles: ToolCycle[],
    boundary: number,
    headEnd: number,
    policy: CompactionPolicy,
    scope: CompactScope,
  ): Promise<{ stored: StoredSummary; reused: boolean; usage?: CompactionOutcome['summarizerUsage'] }> {
    const store = this.deps.store;
    const keyFor = this.gridKeys(scope.tenant, policy, messages, cycles, boundary);
    const key = keyFor(boundary);
    if (store) {
      const [hit] = await store.getMany([key]);
      if (hit) return { stored: hit, reused: true };
    }
    const step = Math.max(1, policy.window - policy.keep);
    const earlier: number[] = [];
    for (let b = boundary - step; b > 0 && earlier.length < 3; b -= step) earlier.push(b);
    let previous: { boundary: number; stored: StoredSummary } | undefined;
    if (store && earlier.length) {
      const found = await store.getMany(earlier.map(keyFor));
      const i = found.findIndex((s) => s !== undefined);
      if (i >= 0) previous = { boundary: earlier[i], stored: found[i]! };
    }

    const spanEnd = cycles[boundary - 1].end;
    const head = messages.slice(0, headEnd);
    const fresh = messages.slice(previous ? cycles[previous.boundary - 1].end : headEnd, spanEnd);
    const input: ChatMessage[] = [...head];
    if (previous) input.push({ role: 'user', content: [{ type: 'text', text: `Summary so far:\n${previous.stored.summary}` }] });
    // The summariser of `mask+summarize` reads outputs as short previews: exact values are the ledger's job.
    input.push(...(policy.strategy === 'mask+summarize' ? previewSpan(fresh, SUMMARIZER_PREVIEW_CHARS) : fresh));
    const result = await this.deps.summarizer!.summarize({ messages: input, instructions: SUMMARY_INSTRUCTIONS, signal: scope.signal });

    const span = messages.slice(headEnd, spanEnd);
    const replaced = estimateMessagesTokens(span);
    const facts = policy.facts === 'none' ? [] : buildFactsLedger(span, { detail: policy.facts });
    const block = renderBlock(result.text, facts, boundary, span.length, replaced);
    const candidate: StoredSummary = {
      block,
      block_tokens: estimateTokens(block),
      summary: result.text,
      cycles: boundary,
      replaced_tokens: replaced,
      model: result.model.id,
      created_at: new Date().toISOString(),
    };
    const stored = store ? await store.putIfAbsent(key, candidate) : candidate;
    return { stored, reused: false, usage: { usage: result.usage, model: result.model } };
  }
}

export { maskSpan, previewSpan, renderBlock, SUMMARIZER_PREVIEW_CHARS } from './span-rewrite';
