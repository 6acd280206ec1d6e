import type { CacheControl, ChatMessage, ChatRequest, TextPart } from '../../core/chat-model';
import { estimateMessageTokens, estimatePartsTokens, estimateToolsTokens, MESSAGE_OVERHEAD_TOKENS } from '../context/token-estimate';

/** Anthropic accepts at most four cache_control breakpoints per request. */
export const MAX_BREAKPOINTS = 4;

export interface BreakpointOptions {
  /** Shortest prefix the model caches (catalog `min_cacheable_tokens`); default 1,024. */
  minCacheableTokens?: number;
  /**
   * Messages at the start that stay byte-identical until the next compaction
   * step (from the context stage's `stable_prefix_messages`); 0 = unknown.
   */
  stablePrefixMessages?: number;
  /** Breakpoint TTL; default the provider's 5 minutes (no `ttl` field). */
  ttl?: CacheControl['ttl'];
}

export type BreakpointSite = 'tools' | 'system' | 'stable_history' | 'latest_turn';

export interface BreakpointPlan {
  /** A copy of the request with the breakpoints set (the input itself when none were added). */
  request: ChatRequest;
  added: { site: BreakpointSite; prefix_tokens: number }[];
  /** Markers the caller set; when > 0 nothing is added (the caller's layout wins). */
  caller_markers: number;
  prefix_tokens: number;
}

/** Counts cache_control markers already on tools, system blocks and message text parts. */
export function countMarkers(request: ChatRequest): number {
  let n = 0;
  for (const t of request.tools ?? []) if (t.cache_control) n++;
  for (const p of request.system) if (p.cache_control) n++;
  for (const m of request.messages) {
    if (m.role === 'tool') n += m.cache_control ? 1 : 0;
    else for (const p of m.content) if (p.type === 'text' && p.cache_control) n++;
  }
  return n;
}

/**
 * Places Anthropic prompt-cache breakpoints on the stable prefix, in wire
 * order: the last tool definition, the last system block, the end of the
 * compacted history, and the latest turn of a conversation in progress (so
 * the next call of an agent loop reads it back). A site is used only when the
 * prefix it closes reaches the model's minimum cacheable length — shorter
 * prefixes are not cached by the provider and a marker there is noise.
 *
 * Caller's markers win: if the request already carries any cache_control,
 * nothing is added. Merging ours with theirs could move the prefix they chose
 * to write and bill cache writes they did not ask for; they opted into
 * managing the cache, so we leave it to them.
 */
export function placeAnthropicBreakpoints(request: ChatRequest, options: BreakpointOptions = {}): BreakpointPlan {
  const min = options.minCacheableTokens ?? 1024;
  const callerMarkers = countMarkers(request);
  const toolsTokens = estimateToolsTokens(request.tools);
  const systemTokens = request.system.length ? estimatePartsTokens(request.system) + MESSAGE_OVERHEAD_TOKENS : 0;
  const cumulative: number[] = [];
  let running = toolsTokens + systemTokens;
  for (const m of request.messages) {
    running += estimateMessageTokens(m);
    cumulative.push(running);
  }
  const total = running;
  if (callerMarkers > 0) return { request, added: [], caller_markers: callerMarkers, prefix_tokens: total };

  const control: CacheControl = options.ttl ? { type: 'ephemeral', ttl: options.ttl } : { type: 'ephemeral' };
  const added: BreakpointPlan['added'] = [];
  let tools = request.tools;
  let system = request.system;
  let messages = request.messages;

  if (tools?.length && toolsTokens >= min) {
    tools = tools.map((t, i) => (i === tools!.length - 1 ? { ...t, cache_control: { ...control } } : t));
    added.push({ site: 'tools', prefix_tokens: toolsTokens });
  }
  const lastSystem = lastTextIndex(system);
  if (lastSystem >= 0 && toolsTokens + systemTokens >= min) {
    system = system.map((p, i) => (i === lastSystem ? { ...p, cache_control: { ...control } } : p));
    added.push({ site: 'system', prefix_tokens: toolsTokens + systemTokens });
  }
  const marked = new Set<number>();
  const mark = (site: BreakpointSite, upTo: number) => {
    const i = markableMessage(messages, upTo);
    if (i < 0 || marked.has(i) || cumulative[i] < min || added.length >= MAX_BREAKPOINTS) return;
    marked.add(i);
    const m = messages[i];
    let copy: ChatMessage;
    if (m.role === 'tool') copy = { ...m, cache_control: { ...control } };
    else {
      const j = lastTextIndex(m.content as TextPart[]);
      copy = { ...m, content: m.content.map((p, k) => (k === j ? { ...(p as TextPart), cache_control: { ...control } } : p)) } as ChatMessage;
    }
    messages = messages.map((x, k) => (k === i ? copy : x));
    added.push({ site, prefix_tokens: cumulative[i] });
  };
  if ((options.stablePrefixMessages ?? 0) > 0) mark('stable_history', Math.min(options.stablePrefixMessages!, messages.length) - 1);
  // A conversation in progress (history + a new turn) will be resent with one more turn: cache all of it.
  if (messages.length >= 3) mark('latest_turn', messages.length - 1);

  if (added.length === 0) return { request, added, caller_markers: 0, prefix_tokens: total };
  const out: ChatRequest = { ...request, system, messages };
  if (tools) out.tools = tools;
  return { request: out, added, caller_markers: 0, prefix_tokens: total };
}

function lastTextIndex(parts: readonly { type: string; text?: string }[]): number {
  for (let i = parts.length - 1; i >= 0; i--) if (parts[i].type === 'text' && parts[i].text) return i;
  return -1;
}

/** The last message at or before `upTo` that can carry a marker: a tool result, or a turn with a non-empty text part. */
function markableMessage(messages: readonly ChatMessage[], upTo: number): number {
  for (let i = upTo; i >= 0; i--) {
    const m = messages[i];
    if (m.role === 'tool' || lastTextIndex(m.content) >= 0) return i;
  }
  return -1;
}
