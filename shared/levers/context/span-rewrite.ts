import type { ChatMessage } from '../../core/chat-model';
import type { CompactionPolicy } from './context-config';
import { toolOutputFacts } from './facts-ledger';
import { estimateTokens } from './token-estimate';

/** How the compactor rewrites a span: the note (renderBlock / placeBlock), placeholders (maskSpan), the summariser's previews. */

export function renderBlock(summary: string, facts: string[], cycles: number, messageCount: number, tokens: number): string {
  const lines = [`[Parsimony context note: the first ${cycles} tool cycles of this conversation (${messageCount} messages, ~${tokens} tokens) were compacted into this note.]`];
  if (summary) lines.push(`Summary: ${summary}`);
  if (facts.length) lines.push('Facts (exact values from the compacted messages):', ...facts);
  return lines.join('\n');
}

/** The caller's needed tool results inside a summarised span, verbatim (appended to the note, so they survive as sent). */
export function keptVerbatim(span: readonly ChatMessage[], keep: ReadonlySet<string> | undefined): string {
  if (!keep?.size) return '';
  const kept = span.filter((m): m is Extract<ChatMessage, { role: 'tool' }> => m.role === 'tool' && keep.has(m.tool_call_id));
  return kept.map((m) => `\nTool result ${m.tool_call_id} (kept verbatim):\n${m.content}`).join('');
}

/**
 * Puts the block where it keeps role alternation: as an assistant turn when
 * the kept tail starts with a user turn, else as an extra text part of the
 * task message (whose own text stays verbatim). Never as the last message.
 */
export function placeBlock(head: ChatMessage[], block: string, tail: ChatMessage[]): ChatMessage[] {
  if (tail[0]?.role === 'user') return [...head, { role: 'assistant', content: [{ type: 'text', text: block }] }, ...tail];
  const task = head[head.length - 1] as Extract<ChatMessage, { role: 'user' }>;
  const merged: ChatMessage = { ...task, content: [...task.content, { type: 'text', text: block }] };
  return [...head.slice(0, -1), merged, ...tail];
}

/**
 * Placeholders are a pure function of (tool name, output, policy) and every
 * call of an agent resends the same outputs, so they are memoised (bounded).
 */
const placeholders = new Map<string, string | null>();
const PLACEHOLDER_CACHE_ENTRIES = 1024;

/** Characters of each tool output the `mask+summarize` summariser sees. */
export const SUMMARIZER_PREVIEW_CHARS = 240;

/** Tool outputs cut to their first `chars` characters, with the size of the rest. */
export function previewSpan(span: ChatMessage[], chars: number): ChatMessage[] {
  return span.map((m) => (m.role === 'tool' && m.content.length > chars + 40 ? { ...m, content: `${m.content.slice(0, chars)}… [${m.content.length - chars} more chars]` } : m));
}

/** Replaces tool outputs in a span by a placeholder with their size and facts. */
export function maskSpan(span: ChatMessage[], policy: Pick<CompactionPolicy, 'facts' | 'minMaskTokens'>, keep?: ReadonlySet<string>): ChatMessage[] {
  const names = new Map<string, string>();
  for (const m of span) if (m.role === 'assistant') for (const c of m.tool_calls ?? []) names.set(c.id, c.name);
  return span.map((m) => {
    if (m.role !== 'tool' || keep?.has(m.tool_call_id)) return m;
    const name = names.get(m.tool_call_id) ?? 'tool';
    const key = `${policy.facts}\u0000${policy.minMaskTokens}\u0000${name}\u0000${m.content}`;
    let text = placeholders.get(key);
    if (text === undefined) {
      text = placeholderFor(name, m.content, policy);
      if (placeholders.size >= PLACEHOLDER_CACHE_ENTRIES) placeholders.delete(placeholders.keys().next().value as string);
      placeholders.set(key, text);
    }
    return text === null ? m : { ...m, content: text };
  });
}

/** The placeholder text, or null when the output should stay (short, or facts nearly as long). */
function placeholderFor(name: string, content: string, policy: Pick<CompactionPolicy, 'facts' | 'minMaskTokens'>): string | null {
  const tokens = estimateTokens(content);
  if (tokens < policy.minMaskTokens) return null;
  const facts = policy.facts === 'none' ? '' : toolOutputFacts(content, { detail: policy.facts });
  const text = `[${name} output masked by Parsimony: ${content.length} chars${facts ? `; facts: ${facts}` : ''}]`;
  // A placeholder nearly as long as the output saves little and loses the rest of it.
  return estimateTokens(text) > tokens * 0.85 ? null : text;
}
