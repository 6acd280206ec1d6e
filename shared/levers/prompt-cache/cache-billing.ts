import { createHash } from 'node:crypto';
import type { ModelEntry } from '../../core/catalog/catalog';
import { priceUsage } from '../../core/accounting/pricing';
import type { ChatMessage, ChatRequest, Usage } from '../../core/chat-model';
import { estimateMessageTokens, estimatePartsTokens, estimateToolsTokens, MESSAGE_OVERHEAD_TOKENS, REQUEST_OVERHEAD_TOKENS } from '../context/token-estimate';

/**
 * How providers bill prompt caching, as a model we can run on a request
 * sequence (the eval's four policies) and on a session's prefix history (the
 * honest baseline of the cost waterfall). Stated model, per provider:
 *
 * - OpenAI (`auto`): every request of ≥ 1,024 tokens is cached by prefix with
 *   no write fee; a later request reads the longest prefix it shares with an
 *   earlier one, counted from 1,024 tokens in 128-token steps, at the
 *   cached-input price.
 * - Anthropic (`breakpoints`): only prefixes ending at a `cache_control`
 *   breakpoint (and at least the model's minimum cacheable length) are
 *   written, at 1.25× input (5-minute TTL) or 2× (1-hour); a later request
 *   reads the longest written prefix found at or up to 20 blocks before one of
 *   its own breakpoints, at 0.1× input; what lies between that and its last
 *   breakpoint is written.
 *
 * Granularity is the block (a tool definition, a system part, a message), so a
 * prefix that diverges inside a block counts as diverging at its start (a
 * slight under-estimate of OpenAI's token-level matching). TTLs are not
 * modelled in the sequence simulation (agent calls follow each other within
 * minutes); the Redis history used for the baseline does expire entries.
 */
export type CachingKind = 'auto' | 'breakpoints' | 'none';

export interface PrefixBlock {
  /** Hash of everything up to and including this block (cache markers left out). */
  hash: string;
  /** Estimated tokens up to and including this block. */
  tokens: number;
  /** A cache_control breakpoint closes this block. */
  marker?: '5m' | '1h';
}

/** OpenAI's automatic caching granularity. */
export const AUTO_MIN_TOKENS = 1024;
export const AUTO_STEP_TOKENS = 128;
/** Anthropic looks back this many blocks from a breakpoint for an earlier cache entry. */
export const BREAKPOINT_LOOKBACK_BLOCKS = 20;

export function cachingKindOf(model: Pick<ModelEntry, 'provider'>): CachingKind {
  if (model.provider === 'anthropic') return 'breakpoints';
  if (model.provider === 'openai') return 'auto';
  return 'none';
}

/** The request as a chain of prefix blocks in wire order: tools, system parts, messages. */
export function prefixBlocks(request: Pick<ChatRequest, 'tools' | 'system' | 'messages'>): PrefixBlock[] {
  const blocks: PrefixBlock[] = [];
  const h = createHash('sha256');
  let tokens = REQUEST_OVERHEAD_TOKENS;
  const push = (text: string, add: number, marker?: '5m' | '1h') => {
    h.update(`${text.length}:`).update(text);
    tokens += add;
    blocks.push({ hash: h.copy().digest('base64url').slice(0, 22), tokens, ...(marker ? { marker } : {}) });
  };
  const tools = request.tools ?? [];
  tools.forEach((t, i) => {
    // The tools list is estimated as a whole; spread it evenly so the total matches.
    const share =
      i === tools.length - 1 ? estimateToolsTokens(tools) - Math.floor(estimateToolsTokens(tools) / tools.length) * (tools.length - 1) : Math.floor(estimateToolsTokens(tools) / tools.length);
    push(`T${t.name}\u0000${t.description ?? ''}\u0000${JSON.stringify(t.parameters)}`, share, ttlOf(t.cache_control));
  });
  request.system.forEach((p, i) => push(`S${p.text}`, estimatePartsTokens([p]) + (i === 0 ? MESSAGE_OVERHEAD_TOKENS : 0), ttlOf(p.cache_control)));
  for (const m of request.messages) push(messageKey(m), estimateMessageTokens(m), messageMarker(m));
  return blocks;
}

function ttlOf(control: { ttl?: '5m' | '1h' } | undefined): '5m' | '1h' | undefined {
  return control ? (control.ttl ?? '5m') : undefined;
}

function messageMarker(m: ChatMessage): '5m' | '1h' | undefined {
  if (m.role === 'tool') return ttlOf(m.cache_control);
  let marker: '5m' | '1h' | undefined;
  for (const p of m.content) if (p.type === 'text' && p.cache_control) marker = marker === '1h' ? '1h' : ttlOf(p.cache_control);
  return marker;
}

function messageKey(m: ChatMessage): string {
  if (m.role === 'tool') return `R${m.is_error ? '!' : ''}${m.tool_call_id}\u0000${m.content}`;
  const parts = m.content.map((p) => (p.type === 'text' ? `t${p.text}` : `i${p.url}`)).join('\u0001');
  const calls = m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => `${c.id}\u0000${c.name}\u0000${c.arguments}`).join('\u0001') : '';
  const reasoning = m.role === 'assistant' ? (m.reasoning ?? []).map((r) => `${r.text}\u0000${r.signature ?? ''}\u0000${r.encrypted ?? ''}`).join('\u0001') : '';
  return `${m.role[0]}${m.name ?? ''}\u0002${parts}\u0002${calls}\u0002${reasoning}`;
}

/** Cache usage of one call: reads and writes within `input_tokens`. */
export type CacheUsage = Pick<Usage, 'input_tokens' | 'cached_input_tokens' | 'cache_write_tokens' | 'cache_write_1h_tokens'>;

/** Where earlier requests of a session left cache entries: block hash → how it was cached. */
export interface PrefixHistory {
  /** OpenAI: every prefix an earlier request had. */
  seen(hash: string): boolean;
  /** Anthropic: prefixes written at a breakpoint. */
  written(hash: string): boolean;
}

/** OpenAI's cached tokens for a shared prefix of `lcp` tokens. */
export function autoCachedTokens(lcp: number): number {
  if (lcp < AUTO_MIN_TOKENS) return 0;
  return AUTO_MIN_TOKENS + Math.floor((lcp - AUTO_MIN_TOKENS) / AUTO_STEP_TOKENS) * AUTO_STEP_TOKENS;
}

/** The cache usage a provider would bill for `blocks`, given what earlier requests left. */
export function billBlocks(kind: CachingKind, blocks: readonly PrefixBlock[], history: PrefixHistory, minCacheable = 1024): CacheUsage {
  const input = blocks.length ? blocks[blocks.length - 1].tokens : 0;
  const none: CacheUsage = { input_tokens: input, cached_input_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0 };
  if (kind === 'none' || blocks.length === 0) return none;
  if (kind === 'auto') {
    if (input < AUTO_MIN_TOKENS) return none;
    let lcp = 0;
    for (const b of blocks) {
      if (!history.seen(b.hash)) break;
      lcp = b.tokens;
    }
    return { ...none, cached_input_tokens: Math.min(autoCachedTokens(lcp), input) };
  }
  const marks = blocks.map((b, i) => (b.marker && b.tokens >= minCacheable ? i : -1)).filter((i) => i >= 0);
  if (marks.length === 0) return none;
  let read = 0;
  let readAt = -1;
  for (const m of marks) {
    for (let i = m; i >= Math.max(0, m - BREAKPOINT_LOOKBACK_BLOCKS); i--) {
      if (blocks[i].tokens <= read) break;
      if (history.written(blocks[i].hash)) {
        read = blocks[i].tokens;
        readAt = i;
        break;
      }
    }
  }
  // Written: each segment between the read prefix and a later breakpoint, at the TTL of the breakpoint closing it.
  let write = 0;
  let write1h = 0;
  let from = read;
  for (const m of marks) {
    if (m <= readAt) continue;
    const seg = blocks[m].tokens - from;
    if (blocks[m].marker === '1h') write1h += seg;
    write += seg;
    from = blocks[m].tokens;
  }
  return { ...none, cached_input_tokens: read, cache_write_tokens: write, cache_write_1h_tokens: write1h };
}

/** What a call leaves for later calls. */
export function recordBlocks(kind: CachingKind, blocks: readonly PrefixBlock[], record: { seen(hash: string): void; written(hash: string): void }, minCacheable = 1024): void {
  if (kind === 'auto') {
    if ((blocks[blocks.length - 1]?.tokens ?? 0) < AUTO_MIN_TOKENS) return;
    for (const b of blocks) record.seen(b.hash);
  } else if (kind === 'breakpoints') {
    for (const b of blocks) if (b.marker && b.tokens >= minCacheable) record.written(b.hash);
  }
}

/** In-memory session of calls (the eval): bills each call against the calls before it. */
export class CacheSession {
  private readonly seenSet = new Set<string>();
  private readonly writtenSet = new Set<string>();

  constructor(
    readonly kind: CachingKind,
    private readonly minCacheable = 1024,
  ) {}

  bill(request: Pick<ChatRequest, 'tools' | 'system' | 'messages'>): CacheUsage {
    const blocks = prefixBlocks(request);
    const usage = billBlocks(this.kind, blocks, { seen: (h) => this.seenSet.has(h), written: (h) => this.writtenSet.has(h) }, this.minCacheable);
    recordBlocks(this.kind, blocks, { seen: (h) => this.seenSet.add(h), written: (h) => this.writtenSet.add(h) }, this.minCacheable);
    return usage;
  }
}

/** USD of a call's input under its cache usage, with the catalog's prices (shared/core/accounting/pricing.ts). */
export function inputUsd(model: ModelEntry, usage: CacheUsage): number {
  return priceUsage(model, { ...usage, output_tokens: 0 });
}
