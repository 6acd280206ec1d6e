import type { ChatResponse, StreamEvent } from './chat-model';

/**
 * Replays a finished response as stream events, for callers that asked for
 * a stream but were answered without a provider stream (e.g. a cache hit).
 * Text goes out in word-sized pieces so clients render it as they would a
 * live stream.
 */
export function responseToStreamEvents(response: ChatResponse, piece = 32): StreamEvent[] {
  const events: StreamEvent[] = [];
  const text = response.content ?? '';
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + piece);
    const space = text.indexOf(' ', end);
    if (space !== -1 && space - end < 16) end = space + 1;
    events.push({ type: 'text', text: text.slice(i, end) });
    i = end;
  }
  response.tool_calls.forEach((call, index) => {
    events.push({ type: 'tool_call_start', index, id: call.id, name: call.name });
    if (call.arguments) events.push({ type: 'tool_call_args', index, arguments: call.arguments });
  });
  events.push({ type: 'done', response });
  return events;
}
