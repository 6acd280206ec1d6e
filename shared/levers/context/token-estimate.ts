import type { ChatMessage, ChatRequest, ContentPart, ToolDefinition } from '../../core/chat-model';

/**
 * A fast, dependency-free token estimate that behaves like a BPE tokenizer
 * (cl100k / o200k) on the text Parsimony sees: English prose, JSON tool
 * output, ids and numbers. It is a single pass over char codes, no regex, so
 * it costs ~1 µs per 100 characters and can run on the hot path.
 *
 * Rules (from how BPE vocabularies split text):
 * - a word of lowercase / Capitalised letters is one token up to ~9 letters,
 *   longer words cost about one token per 7 letters; the leading space rides along;
 * - mixed-case or letter+digit runs (random ids like `bBCSl18JfUF`) cost
 *   about one token per 2.5 characters;
 * - digit runs are split into groups of three;
 * - punctuation: a run of up to two marks is one token (`":`, `{"`), longer
 *   runs one per two marks;
 * - newlines: one token per run; runs of spaces (indentation): one per 4;
 * - non-ASCII: one token per character (conservative for CJK / emoji).
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isLetter(c)) {
      const start = i;
      let upperAfterLower = 0;
      let digits = 0;
      let prevLower = false;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d >= 97 && d <= 122) prevLower = true;
        else if (d >= 65 && d <= 90) {
          if (prevLower) upperAfterLower++;
          prevLower = false;
        } else if (d >= 48 && d <= 57) digits++;
        else break;
        i++;
      }
      const len = i - start;
      if (upperAfterLower > 0 || digits > 0) tokens += Math.ceil(len / 2.5);
      else tokens += len <= 9 ? 1 : Math.ceil(len / 7);
    } else if (c >= 48 && c <= 57) {
      const start = i;
      while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
      tokens += Math.ceil((i - start) / 3);
    } else if (c === 32) {
      const start = i;
      while (i < n && text.charCodeAt(i) === 32) i++;
      const run = i - start;
      // One space glues onto the next word; longer runs are indentation tokens.
      if (run > 1) tokens += Math.ceil((run - 1) / 4);
    } else if (c === 10 || c === 13) {
      while (i < n && (text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13)) i++;
      tokens += 1;
    } else if (c === 9) {
      i++;
      tokens += 1;
    } else if (c > 127) {
      i++;
      tokens += 1;
    } else {
      const start = i;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d > 127 || d === 32 || d === 10 || d === 13 || d === 9 || isLetter(d) || (d >= 48 && d <= 57)) break;
        i++;
      }
      const run = i - start;
      tokens += run <= 2 ? 1 : Math.ceil(run / 2);
      // `_` directly before a word is merged with it by BPE (`_name`).
      if (text.charCodeAt(i - 1) === 95 && i < n && isLetter(text.charCodeAt(i))) tokens -= 1;
    }
  }
  return tokens;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** Framing tokens per message (role markers), as in OpenAI's published counting recipe. */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** Framing per tool call (id, type, name/arguments wrappers). */
export const TOOL_CALL_OVERHEAD_TOKENS = 8;
/** Reply priming added once per request. */
export const REQUEST_OVERHEAD_TOKENS = 3;

export function estimatePartsTokens(parts: ContentPart[]): number {
  let t = 0;
  // An image costs far more than text; 85 is OpenAI's low-detail price, a floor.
  for (const p of parts) t += p.type === 'text' ? estimateTokens(p.text) : 85;
  return t;
}

export function estimateMessageTokens(message: ChatMessage): number {
  if (message.role === 'tool') return MESSAGE_OVERHEAD_TOKENS + estimateTokens(message.content) + 4; // + call id
  let t = MESSAGE_OVERHEAD_TOKENS + estimatePartsTokens(message.content);
  if (message.role === 'assistant' && message.tool_calls) for (const c of message.tool_calls) t += TOOL_CALL_OVERHEAD_TOKENS + estimateTokens(c.name) + estimateTokens(c.arguments);
  return t;
}

export function estimateMessagesTokens(messages: readonly ChatMessage[]): number {
  let t = 0;
  for (const m of messages) t += estimateMessageTokens(m);
  return t;
}

export function estimateToolsTokens(tools: readonly ToolDefinition[] | undefined): number {
  if (!tools?.length) return 0;
  let t = 12;
  for (const tool of tools) t += 8 + estimateTokens(tool.name) + estimateTokens(tool.description ?? '') + estimateTokens(JSON.stringify(tool.parameters));
  return t;
}

export function estimateSystemTokens(request: Pick<ChatRequest, 'system'>): number {
  return request.system.length ? MESSAGE_OVERHEAD_TOKENS + estimatePartsTokens(request.system) : 0;
}

/** Input tokens of a whole request: tools + system + messages + priming. */
export function estimateRequestTokens(request: Pick<ChatRequest, 'system' | 'messages' | 'tools'>): number {
  return REQUEST_OVERHEAD_TOKENS + estimateToolsTokens(request.tools) + estimateSystemTokens(request) + estimateMessagesTokens(request.messages);
}
