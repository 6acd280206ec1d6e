import { textOf, type ChatRequest } from '../../core/chat-model';

/** Longest slice of a turn the router reads; the rest only counts towards length. */
const HEAD_CHARS = 2000;
const TAIL_CHARS = 1000;

/**
 * What the router looks at in a request: the system prompt, the last user
 * turn (the work being asked for) and summary statistics of the turns before
 * it. Long texts are cut to a head and a tail so a decision costs the same
 * for a 1 MB context as for a 6 KB one.
 */
export interface RequestSummary {
  system: string;
  /** Last user turn, cut to head + tail. */
  lastUser: string;
  /** Full length of the last user turn in characters. */
  lastUserChars: number;
  /** Earlier user turns (before the last one), cut to the first 2,000 characters in total. */
  earlierUser: string;
  /** The last few earlier user turns (at most 8), each cut to its first 1,000 characters: what the conversation was about. */
  earlierUserTurns: string[];
  userTurns: number;
  assistantTurns: number;
  toolMessages: number;
  /** Tool calls the assistant made in earlier turns (an agent loop in progress). */
  toolCalls: number;
  /** Role of the latest message: what this call answers (a user turn, a tool result, or an assistant prefill). */
  lastRole: 'user' | 'assistant' | 'tool' | 'none';
  /** Characters in all turns before the last user turn. */
  earlierChars: number;
  tools: number;
  toolChoiceForced: boolean;
  responseFormat: 'text' | 'json_object' | 'json_schema';
  maxTokens?: number;
}

function clip(text: string): string {
  if (text.length <= HEAD_CHARS + TAIL_CHARS) return text;
  return `${text.slice(0, HEAD_CHARS)}\n${text.slice(text.length - TAIL_CHARS)}`;
}

export function summarizeRequest(request: ChatRequest): RequestSummary {
  let lastUserIndex = -1;
  for (let i = request.messages.length - 1; i >= 0; i--) {
    if (request.messages[i].role === 'user') {
      lastUserIndex = i;
      break;
    }
  }
  let userTurns = 0;
  let assistantTurns = 0;
  let toolMessages = 0;
  let toolCalls = 0;
  let earlierChars = 0;
  let earlierUser = '';
  const earlierUserTurns: string[] = [];
  for (let i = 0; i < request.messages.length; i++) {
    const m = request.messages[i];
    if (m.role === 'user') userTurns++;
    else if (m.role === 'assistant') {
      assistantTurns++;
      toolCalls += m.tool_calls?.length ?? 0;
    } else toolMessages++;
    if (i === lastUserIndex) continue;
    const text = m.role === 'tool' ? m.content : textOf(m.content);
    earlierChars += text.length;
    if (m.role === 'user' && i < lastUserIndex) {
      if (earlierUser.length < 2000) earlierUser += `${text.slice(0, 2000 - earlierUser.length)}\n`;
      earlierUserTurns.push(text.slice(0, 1000));
      if (earlierUserTurns.length > 8) earlierUserTurns.shift();
    }
  }
  const full = lastUserIndex >= 0 ? textOf((request.messages[lastUserIndex] as { content: Parameters<typeof textOf>[0] }).content) : '';
  const system = request.system.map((p) => p.text).join('\n');
  const tc = request.tool_choice;
  return {
    system: system.length > 4000 ? system.slice(0, 4000) : system,
    lastUser: clip(full),
    lastUserChars: full.length,
    earlierUser,
    earlierUserTurns,
    userTurns,
    assistantTurns,
    toolMessages,
    toolCalls,
    lastRole: request.messages.at(-1)?.role ?? 'none',
    earlierChars,
    tools: request.tools?.length ?? 0,
    toolChoiceForced: tc === 'required' || (typeof tc === 'object' && tc !== null),
    responseFormat: request.response_format?.type ?? 'text',
    maxTokens: request.sampling?.max_tokens,
  };
}
