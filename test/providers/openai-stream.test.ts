import type { StreamEvent } from '../../shared/core/chat-model';
import { ProviderError } from '../../shared/core/errors/provider-error';
import { openAIStreamEvents, type OpenAIChunkLike } from '../../shared/providers/openai/stream';

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}
async function collect(chunks: OpenAIChunkLike[]): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of openAIStreamEvents(from(chunks))) out.push(e);
  return out;
}
const base = { id: 'chatcmpl-1', created: 1700, model: 'gpt-4.1-mini' };
const chunk = (delta: NonNullable<OpenAIChunkLike['choices'][number]['delta']>, finish_reason: string | null = null): OpenAIChunkLike => ({ ...base, choices: [{ delta, finish_reason }] });

describe('OpenAI chunks → StreamEvents', () => {
  test('text, parallel tool calls and the usage chunk assemble into the final response', async () => {
    const events = await collect([
      chunk({ content: '' }),
      chunk({ content: 'Sure.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'get_weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'get_time', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({}, 'tool_calls'),
      { ...base, choices: [], usage: { prompt_tokens: 90, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 64 } } },
    ]);
    expect(events).toEqual([
      { type: 'text', text: 'Sure.' },
      { type: 'tool_call_start', index: 0, id: 'call_a', name: 'get_weather' },
      { type: 'tool_call_args', index: 0, arguments: '{"city":' },
      { type: 'tool_call_start', index: 1, id: 'call_b', name: 'get_time' },
      { type: 'tool_call_args', index: 1, arguments: '{}' },
      { type: 'tool_call_args', index: 0, arguments: '"Paris"}' },
      {
        type: 'done',
        response: {
          id: 'chatcmpl-1',
          model: 'gpt-4.1-mini',
          created: 1700,
          content: 'Sure.',
          tool_calls: [
            { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { id: 'call_b', name: 'get_time', arguments: '{}' },
          ],
          finish_reason: 'tool_calls',
          usage: { input_tokens: 90, output_tokens: 12, cached_input_tokens: 64, cache_write_tokens: 0 },
        },
      },
    ]);
  });

  test('argument fragments that arrive before the id and name are held, then flushed in order', async () => {
    const events = await collect([
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_x', function: { name: 'f', arguments: ':1}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    expect(events.slice(0, 3)).toEqual([
      { type: 'tool_call_start', index: 0, id: 'call_x', name: 'f' },
      { type: 'tool_call_args', index: 0, arguments: '{"a"' },
      { type: 'tool_call_args', index: 0, arguments: ':1}' },
    ]);
    expect((events[3] as Extract<StreamEvent, { type: 'done' }>).response.tool_calls).toEqual([{ id: 'call_x', name: 'f', arguments: '{"a":1}' }]);
  });

  test('a stream cut off before its finish reason is a retryable ProviderError, not a done', async () => {
    const err = await collect([chunk({ content: 'Half an ans' })]).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ provider: 'openai', status: 0, retryable: true });
  });
});
