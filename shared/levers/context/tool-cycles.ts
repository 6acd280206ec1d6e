import type { ChatMessage } from '../../core/chat-model';

/**
 * A tool cycle: one assistant message with tool calls followed by the tool
 * messages that answer every one of its calls. `end` is the index just after
 * its last tool result, so `messages.slice(0, end)` never splits a cycle.
 */
export interface ToolCycle {
  /** Index of the assistant message holding the calls. */
  start: number;
  /** Index after the last tool result of the cycle (exclusive). */
  end: number;
  callIds: string[];
}

export interface CycleScan {
  /** Complete, well-formed cycles from `from` on, in order. */
  cycles: ToolCycle[];
  /**
   * Index of the first malformed spot (a call without its result, an orphan
   * tool message), or -1. Nothing at or after it is ever compacted.
   */
  brokenAt: number;
}

/** Finds the complete tool cycles in `messages[from..]`. */
export function scanToolCycles(messages: readonly ChatMessage[], from = 0): CycleScan {
  const cycles: ToolCycle[] = [];
  let i = from;
  while (i < messages.length) {
    const m = messages[i];
    if (m.role === 'tool') return { cycles, brokenAt: i };
    if (m.role === 'assistant' && m.tool_calls?.length) {
      const pending = new Set(m.tool_calls.map((c) => c.id));
      let j = i + 1;
      while (j < messages.length) {
        const r = messages[j];
        if (r.role !== 'tool') break;
        if (!pending.delete(r.tool_call_id)) return { cycles, brokenAt: j };
        j++;
      }
      // The request may end on an unanswered call only if it is the last turn; either way it is not a cycle.
      if (pending.size > 0) return { cycles, brokenAt: i };
      cycles.push({ start: i, end: j, callIds: m.tool_calls.map((c) => c.id) });
      i = j;
      continue;
    }
    i++;
  }
  return { cycles, brokenAt: -1 };
}

/**
 * Checks the tool-pairing invariants both wire formats need: every tool
 * message directly follows (in the run after) an assistant message whose
 * tool_calls contain its id, and every tool call gets exactly one result.
 * Returns the problems found (empty = valid).
 */
export function toolPairingProblems(messages: readonly ChatMessage[]): string[] {
  const problems: string[] = [];
  let open: Set<string> | null = null;
  let openIndex = -1;
  messages.forEach((m, i) => {
    if (m.role === 'tool') {
      if (!open) problems.push(`message ${i}: tool result ${m.tool_call_id} does not follow an assistant tool call`);
      else if (!open.delete(m.tool_call_id)) problems.push(`message ${i}: tool result ${m.tool_call_id} answers no pending call of message ${openIndex}`);
      return;
    }
    if (open && open.size) problems.push(`message ${openIndex}: tool calls ${[...open].join(', ')} have no result`);
    open = null;
    if (m.role === 'assistant' && m.tool_calls?.length) {
      open = new Set(m.tool_calls.map((c) => c.id));
      openIndex = i;
    }
  });
  // A trailing unanswered call is what a client sends only by mistake; flag it too.
  const last = open as Set<string> | null;
  if (last && last.size) problems.push(`message ${openIndex}: tool calls ${[...last].join(', ')} have no result`);
  return problems;
}

/**
 * Role sequence after mapping to Anthropic: tool results become user turns
 * (consecutive ones merge into one). Returns indexes where two turns of the
 * same role would be adjacent, and whether the first turn is a user turn.
 */
export function anthropicAlternationProblems(messages: readonly ChatMessage[]): string[] {
  const problems: string[] = [];
  let prev: 'user' | 'assistant' | null = null;
  let prevWasTool = false;
  messages.forEach((m, i) => {
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const isTool = m.role === 'tool';
    if (prev === null && role !== 'user') problems.push(`message ${i}: conversation must start with a user turn`);
    if (prev === role && !(isTool && prevWasTool)) problems.push(`message ${i}: two ${role} turns in a row`);
    prev = role;
    prevWasTool = isTool;
  });
  return problems;
}
