/**
 * The eval's two retention checks on a compacted call:
 * - facts: identifier-like values of the compacted-away messages that the rest of the run uses again;
 * - next call: every value the agent's *next* tool call passes (the trace records it) that was in the
 *   context as sent must still be in the compacted context.
 */
import { collectIdentifiers } from '../../shared/levers/context/identifiers';
import type { ChatMessage, ChatRequest, ToolCall } from '../../shared/core/chat-model';

export function messageText(m: ChatMessage): string {
  if (m.role === 'tool') return m.content;
  const text = m.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
  const calls = m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => `${c.name} ${c.arguments}`).join('\n') : '';
  return `${text}\n${calls}`;
}

export function requestText(r: Pick<ChatRequest, 'system' | 'messages'>): string {
  return [...r.system.map((p) => p.text), ...r.messages.map(messageText)].join('\n');
}

export function idsOfMessages(messages: readonly ChatMessage[]): Set<string> {
  const ids = new Set<string>();
  for (const m of messages) collectIdentifiers(messageText(m), ids);
  return ids;
}

/** Facts check: ids of removed messages used later in the run, and how many of them the compacted request keeps. */
export function factRetention(original: ChatRequest, compacted: ChatRequest, laterMessages: readonly ChatMessage[]): { total: number; kept: number } {
  const kept = new Set(compacted.messages.map((m) => JSON.stringify(m)));
  const removed = original.messages.filter((m) => !kept.has(JSON.stringify(m)));
  const later = idsOfMessages(laterMessages);
  const present = idsOfMessages(compacted.messages);
  collectIdentifiers(compacted.system.map((p) => p.text).join('\n'), present);
  let total = 0;
  let keptCount = 0;
  for (const id of idsOfMessages(removed)) {
    if (!later.has(id)) continue;
    total++;
    if (present.has(id)) keptCount++;
  }
  return { total, kept: keptCount };
}

/** Leaf values of a tool call's JSON arguments (strings and numbers of ≥ 3 characters; shorter ones match anywhere by chance). */
export function argumentValues(call: ToolCall): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(call.arguments);
  } catch {
    return [];
  }
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string' && v.trim().length >= 3) out.push(v.trim());
    else if (typeof v === 'number' && String(v).length >= 3) out.push(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(parsed);
  return out;
}

/**
 * Next-call check: values of `next` (the tool calls the agent made in answer
 * to this request) that the context as sent contained, and how many the
 * compacted context still contains (verbatim substring).
 */
export function nextCallRetention(original: ChatRequest, compacted: ChatRequest, next: readonly ToolCall[]): { total: number; kept: number } {
  const before = requestText(original);
  const after = requestText(compacted);
  let total = 0;
  let kept = 0;
  for (const call of next) {
    for (const value of argumentValues(call)) {
      if (!before.includes(value)) continue; // invented by the agent (free text), not something to retain
      total++;
      if (after.includes(value)) kept++;
    }
  }
  return { total, kept };
}
