import { replayStream, responseToStreamEvents } from '../../shared/levers/cache/stream-replay';
import type { StreamEvent } from '../../shared/core/chat-model';
import { answer } from './cache-test-helpers';

describe('responseToStreamEvents', () => {
  const text = 'Parsimony answers repeated questions from its cache.\nA second line, with   spaces and a verylongwordthatkeepsgoingonandon.';

  test('text comes back exactly, in many token-sized pieces, then done with the whole response', () => {
    const response = answer(text);
    const events = responseToStreamEvents(response);
    const texts = events.filter((e): e is Extract<StreamEvent, { type: 'text' }> => e.type === 'text').map((e) => e.text);
    expect(texts.join('')).toBe(text);
    expect(texts.length).toBeGreaterThan(10);
    expect(Math.max(...texts.map((t) => t.length))).toBeLessThanOrEqual(12);
    expect(events[events.length - 1]).toEqual({ type: 'done', response });
  });

  test('tool calls are replayed as start + argument pieces', () => {
    const args = JSON.stringify({ city: 'Paris', days: 3, units: 'metric' });
    const response = answer('', { content: null, finish_reason: 'tool_calls', tool_calls: [{ id: 'call_1', name: 'forecast', arguments: args }] });
    const events = responseToStreamEvents(response);
    expect(events[0]).toEqual({ type: 'tool_call_start', index: 0, id: 'call_1', name: 'forecast' });
    const pieces = events.filter((e): e is Extract<StreamEvent, { type: 'tool_call_args' }> => e.type === 'tool_call_args');
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.map((p) => p.arguments).join('')).toBe(args);
  });

  test('replayStream yields the same events asynchronously', async () => {
    const response = answer('one two three');
    const seen: StreamEvent[] = [];
    for await (const e of replayStream(response, { delayMs: 1 })) seen.push(e);
    expect(seen).toEqual(responseToStreamEvents(response));
  });
});
