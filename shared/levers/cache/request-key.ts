import { createHash } from 'node:crypto';
import type { ChatMessage, ChatRequest } from '../../core/chat-model';
import { lastUserText } from '../../core/chat-model';

/**
 * Scope and exact keys. The scope is a hard partition: tenant + a
 * fingerprint of everything except the last user turn that can change the
 * answer (system prompt, earlier turns, tools, tool_choice, response_format,
 * sampling, n, logprobs, reasoning, verbosity, parallel tool calls,
 * provider options). Two requests can only ever share an answer when their
 * scopes are equal; only the last user turn is compared by meaning.
 *
 * The routed tier is not part of the scope: an entry records the tier that
 * answered and may serve a request routed to that tier or a lower one
 * (`tierMayServe`), so a paraphrase routed to another tier still meets its
 * original. `service_tier` changes the price, not the answer: not in the scope.
 */
export interface RequestKey {
  /** sha256 of the scope parts (tenant included, routed tier not). */
  scope: string;
  /** sha256 of scope + the normalised last user turn (+ its images). */
  exactHash: string;
  /** The last user turn's text, as sent. */
  text: string;
  /** Number of user turns in the conversation. */
  userTurns: number;
  /** The last user turn carries images: the semantic tier cannot compare those. */
  hasImages: boolean;
}

export function requestKey(tenant: string, request: ChatRequest): RequestKey {
  const lastUser = findLastUser(request.messages);
  const earlier = lastUser >= 0 ? request.messages.slice(0, lastUser) : request.messages;
  // Anything after the last user turn (rare: trailing assistant prefill) changes the answer too.
  const trailing = lastUser >= 0 ? request.messages.slice(lastUser + 1) : [];
  const scopeParts = {
    v: 2,
    tenant,
    system: request.system.map((p) => p.text),
    earlier: earlier.map(stripCacheControl),
    trailing: trailing.map(stripCacheControl),
    tools: (request.tools ?? []).map((t) => ({ name: t.name, description: t.description ?? '', parameters: t.parameters })),
    tool_choice: request.tool_choice ?? null,
    response_format: request.response_format ?? null,
    sampling: request.sampling,
    n: request.n ?? 1,
    logprobs: request.logprobs ?? null,
    reasoning: request.reasoning ?? null,
    verbosity: request.verbosity ?? null,
    parallel_tool_calls: request.parallel_tool_calls ?? null,
    provider_options: request.provider_options ?? null,
  };
  const scope = sha256(canonicalJson(scopeParts));
  const text = lastUserText(request);
  const last = lastUser >= 0 ? request.messages[lastUser] : undefined;
  const images = last && last.role === 'user' ? last.content.filter((p) => p.type === 'image').map((p) => (p.type === 'image' ? p.url : '')) : [];
  const exactHash = sha256(canonicalJson({ scope, text: normaliseForExact(text), images }));
  const userTurns = request.messages.filter((m) => m.role === 'user').length;
  return { scope, exactHash, text, userTurns, hasImages: images.length > 0 };
}

/**
 * Whether a stored answer can serve this request at all. A cache entry keeps
 * one choice's text, so a request asking for more than that (several
 * choices, token logprobs) bypasses the cache: it is never served an answer
 * without what it asked for, and its answer is not stored.
 */
export function cacheServesRequest(request: Pick<ChatRequest, 'n' | 'logprobs'>): boolean {
  return (request.n ?? 1) <= 1 && request.logprobs === undefined;
}

/** Exact-tier normalisation: Unicode NFKC, case, and whitespace only — never wording. */
export function normaliseForExact(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** JSON with object keys sorted at every depth, so key order never changes a hash. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

function findLastUser(messages: ChatMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return i;
  return -1;
}

/** Prompt-caching breakpoints change the price, not the answer. */
function stripCacheControl(m: ChatMessage): unknown {
  if (m.role === 'tool') return m;
  return { ...m, content: m.content.map((p) => (p.type === 'text' ? { type: 'text', text: p.text } : p)) };
}
