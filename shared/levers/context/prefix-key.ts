import { createHash } from 'node:crypto';
import type { ChatMessage, ChatRequest } from '../../core/chat-model';
import type { CompactionPolicy } from './context-config';
import { SUMMARY_INSTRUCTIONS_VERSION } from './summarizer';

/** Tokens a model-written summary usually takes (the prompt asks for at most 200 words). */
export const SUMMARY_TOKENS_ESTIMATE = 260;

/** A chain's identity for the learned lengths: its system prompt and task message. */
export function sessionId(request: ChatRequest, headEnd: number): string {
  const h = createHash('sha256');
  for (const p of request.system) h.update(p.text.slice(0, 2000));
  for (const m of request.messages.slice(0, headEnd)) if (m.role === 'user') for (const p of m.content) if (p.type === 'text') h.update(p.text);
  return h.digest('base64url').slice(0, 16);
}

/**
 * Hash of everything the block replaces and how it was made; tenant-scoped.
 * Fed piece by piece (length-prefixed) rather than as one JSON string, which
 * keeps a 20-KB allocation per call off the hot path. Cache markers are left
 * out: clients that move a rolling cache_control breakpoint every call would
 * otherwise never match their own prefix.
 */
export function prefixKey(tenant: string, policy: CompactionPolicy, messages: ChatMessage[], end: number): string {
  return prefixKeys(tenant, policy, messages, [end]).get(end)!;
}

/** The keys of several prefixes of the same messages in one pass (the hash state is copied at each end). */
export function prefixKeys(tenant: string, policy: CompactionPolicy, messages: ChatMessage[], ends: readonly number[]): Map<number, string> {
  const h = createHash('sha256');
  const put = (s: string) => h.update(`${s.length}:`).update(s);
  put(`${tenant}\u0000${policy.strategy}\u0000${policy.facts}\u0000${policy.minMaskTokens}\u0000${SUMMARY_INSTRUCTIONS_VERSION}`);
  const wanted = new Set(ends);
  const last = Math.max(0, ...ends);
  const out = new Map<number, string>();
  if (wanted.has(0)) out.set(0, h.copy().digest('hex'));
  for (let i = 0; i < last; i++) {
    const m = messages[i];
    if (m.role === 'tool') {
      put(m.is_error ? 'tool!' : 'tool');
      put(m.tool_call_id);
      put(m.content);
      if (wanted.has(i + 1)) out.set(i + 1, h.copy().digest('hex'));
      continue;
    }
    put(m.role);
    put(m.name ?? '');
    for (const p of m.content) put(p.type === 'text' ? `t${p.text}` : `i${p.url}`);
    if (m.role === 'assistant') for (const c of m.tool_calls ?? []) put(`c${c.id}\u0000${c.name}\u0000${c.arguments}`);
    put('.');
    if (wanted.has(i + 1)) out.set(i + 1, h.copy().digest('hex'));
  }
  return out;
}
