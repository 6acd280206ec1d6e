import type { StreamEvent } from '../../shared/core/chat-model';
import { anthropicMessageToResponse, anthropicUsageToUsage, stopReasonToFinishReason } from '../../shared/providers/anthropic/from-anthropic';
import { AnthropicStreamDecoder } from '../../shared/providers/anthropic/stream-decoder';
import { OpenAIChunkEncoder } from '../../shared/surfaces/chat-completions/from-internal';

/** The parts of an encoded chat.completion.chunk the tests read. */
interface Chunk {
  choices: { delta: { content?: string | null; tool_calls?: { index: number; function: { arguments: string } }[] }; finish_reason?: string | null }[];
  usage?: unknown;
}

const NOW = 1_750_000_000_000;

function message(content: unknown[], stop_reason: string | null, usage: Record<string, number | null>) {
  return { id: 'msg_1', model: 'claude-sonnet-4-5', content, stop_reason, usage } as never;
}

describe('Anthropic message → internal response', () => {
  test('text blocks are joined, tool_use blocks become tool calls with JSON arguments, thinking becomes reasoning', () => {
    const r = anthropicMessageToResponse(
      message(
        [
          { type: 'thinking', thinking: 'hmm', signature: 's' },
          { type: 'text', text: 'Let me check ', citations: null },
          { type: 'text', text: 'both cities.', citations: null },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome', days: [1, 2] } },
        ],
        'tool_use',
        { input_tokens: 100, output_tokens: 40, cache_read_input_tokens: 2000, cache_creation_input_tokens: 500 },
      ),
      NOW,
    );
    expect(r).toEqual({
      id: 'msg_1',
      model: 'claude-sonnet-4-5',
      created: NOW / 1000,
      content: 'Let me check both cities.',
      tool_calls: [
        { id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { id: 'toolu_2', name: 'get_weather', arguments: '{"city":"Rome","days":[1,2]}' },
      ],
      finish_reason: 'tool_calls',
      reasoning: [{ type: 'reasoning', text: 'hmm', signature: 's', provider: 'anthropic' }],
      // input_tokens is ALL input: 100 uncached + 2000 read + 500 written.
      usage: { input_tokens: 2600, output_tokens: 40, cached_input_tokens: 2000, cache_write_tokens: 500 },
    });
  });

  test('no text blocks → content null; null cache fields count as 0', () => {
    const r = anthropicMessageToResponse(message([], 'end_turn', { input_tokens: 7, output_tokens: 0, cache_read_input_tokens: null, cache_creation_input_tokens: null }), NOW);
    expect(r.content).toBeNull();
    expect(r.tool_calls).toEqual([]);
    expect(r.usage).toEqual({ input_tokens: 7, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0 });
    expect(anthropicUsageToUsage(undefined)).toEqual({ input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0 });
  });

  test.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    [null, 'stop'],
  ])('stop_reason %s → %s', (reason, expected) => {
    expect(stopReasonToFinishReason(reason)).toBe(expected);
  });
});

/** The event sequence Anthropic streams for "text, then two tool calls". */
function toolStream(): { type: string; [k: string]: unknown }[] {
  return [
    {
      type: 'message_start',
      message: {
        id: 'msg_s',
        type: 'message',
        role: 'assistant',
        model: 'claude-haiku-4-5',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 50, output_tokens: 1, cache_read_input_tokens: 4096, cache_creation_input_tokens: 0 },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'ping' },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' now.' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} } },
    { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } },
    { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city": "Pa' } },
    { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: 'ris"}' } },
    { type: 'content_block_stop', index: 1 },
    { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_b', name: 'now', input: {} } },
    { type: 'content_block_stop', index: 2 },
    { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 61 } },
    { type: 'message_stop' },
  ];
}

describe('Anthropic stream → StreamEvents', () => {
  test('text deltas, tool calls indexed over tool_use blocks only, and a final done with usage', () => {
    const decoder = new AnthropicStreamDecoder(() => NOW);
    const events: StreamEvent[] = toolStream().flatMap((e) => decoder.push(e));
    expect(events.slice(0, -1)).toEqual([
      { type: 'text', text: 'Checking' },
      { type: 'text', text: ' now.' },
      { type: 'tool_call_start', index: 0, id: 'toolu_a', name: 'get_weather' },
      { type: 'tool_call_args', index: 0, arguments: '{"city": "Pa' },
      { type: 'tool_call_args', index: 0, arguments: 'ris"}' },
      { type: 'tool_call_start', index: 1, id: 'toolu_b', name: 'now' },
      // No input JSON arrived: a closing "{}" keeps the concatenated arguments parseable.
      { type: 'tool_call_args', index: 1, arguments: '{}' },
    ]);
    expect(decoder.done).toBe(true);
    expect(events[events.length - 1]).toEqual({
      type: 'done',
      response: {
        id: 'msg_s',
        model: 'claude-haiku-4-5',
        created: NOW / 1000,
        content: 'Checking now.',
        tool_calls: [
          { id: 'toolu_a', name: 'get_weather', arguments: '{"city": "Paris"}' },
          { id: 'toolu_b', name: 'now', arguments: '{}' },
        ],
        finish_reason: 'tool_calls',
        usage: { input_tokens: 4146, output_tokens: 61, cached_input_tokens: 4096, cache_write_tokens: 0 },
      },
    });
  });

  test('message_delta usage overrides non-null fields (newer API sends cumulative input counts there too)', () => {
    const decoder = new AnthropicStreamDecoder(() => NOW);
    decoder.push({
      type: 'message_start',
      message: { id: 'm', model: 'x', content: [], usage: { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: null, cache_creation_input_tokens: null } },
    } as never);
    decoder.push({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: 'Hello' } } as never);
    decoder.push({
      type: 'message_delta',
      delta: { stop_reason: 'max_tokens', stop_sequence: null },
      usage: { output_tokens: 5, input_tokens: 12, cache_creation_input_tokens: 300, cache_read_input_tokens: null },
    } as never);
    const [done] = decoder.push({ type: 'message_stop' });
    expect(done).toEqual({
      type: 'done',
      response: expect.objectContaining({
        content: 'Hello',
        finish_reason: 'length',
        usage: { input_tokens: 312, output_tokens: 5, cached_input_tokens: 0, cache_write_tokens: 300 },
      }),
    });
  });

  test('without message_stop there is no done', () => {
    const decoder = new AnthropicStreamDecoder();
    const events = toolStream()
      .slice(0, -1)
      .flatMap((e) => decoder.push(e));
    expect(events.some((e) => e.type === 'done')).toBe(false);
    expect(decoder.done).toBe(false);
  });

  test('decoded events encode into OpenAI chunks whose reassembly equals the final response', () => {
    const decoder = new AnthropicStreamDecoder(() => NOW);
    const encoder = new OpenAIChunkEncoder('chatcmpl-x', 'auto', 1, true);
    const chunks = toolStream()
      .flatMap((e) => decoder.push(e))
      .flatMap((e) => encoder.encode(e)) as unknown as Chunk[];
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    const args: string[] = [];
    for (const c of chunks) for (const t of c.choices[0]?.delta.tool_calls ?? []) args[t.index] = (args[t.index] ?? '') + t.function.arguments;
    expect(text).toBe('Checking now.');
    expect(args.map((a) => JSON.parse(a))).toEqual([{ city: 'Paris' }, {}]);
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 4146, completion_tokens: 61, prompt_tokens_details: { cached_tokens: 4096 } });
  });
});
