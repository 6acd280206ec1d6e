import type { ChatResponse, StreamEvent } from '../../core/chat-model';

/**
 * A stored response as the stream a provider would have sent: text in
 * token-sized pieces (a word or two with its spacing — ~4 characters, like
 * real deltas), then each tool call's start and its arguments in pieces, then
 * `done` with the whole response. Concatenating the text events gives back
 * the content exactly.
 */
export function responseToStreamEvents(response: ChatResponse, options: { maxChunkChars?: number } = {}): StreamEvent[] {
  const max = options.maxChunkChars ?? 12;
  const events: StreamEvent[] = [];
  for (const text of chunkText(response.content ?? '', max)) events.push({ type: 'text', text });
  response.tool_calls.forEach((call, index) => {
    events.push({ type: 'tool_call_start', index, id: call.id, name: call.name });
    for (let i = 0; i < call.arguments.length; i += 16) events.push({ type: 'tool_call_args', index, arguments: call.arguments.slice(i, i + 16) });
  });
  events.push({ type: 'done', response });
  return events;
}

/** The same events as an async stream, optionally paced (default no delay). */
export async function* replayStream(response: ChatResponse, options: { delayMs?: number; maxChunkChars?: number } = {}): AsyncIterable<StreamEvent> {
  for (const event of responseToStreamEvents(response, options)) {
    if (options.delayMs && event.type !== 'done') await new Promise((r) => setTimeout(r, options.delayMs));
    yield event;
  }
}

/** Splits into word-sized pieces (leading whitespace stays with the word, as tokenizers do). */
function chunkText(text: string, max: number): string[] {
  const pieces = text.match(/\s*\S+|\s+$/g) ?? [];
  const out: string[] = [];
  for (const piece of pieces) {
    if (piece.length <= max) out.push(piece);
    else for (let i = 0; i < piece.length; i += max) out.push(piece.slice(i, i + max));
  }
  return out;
}
