import type { ChatRequest } from '../../shared/core/chat-model';
import { ChatCompletionBodySchema } from '../../shared/surfaces/chat-completions/request-schema';
import { openAIBodyToChatRequest } from '../../shared/surfaces/chat-completions/to-internal';
import { argumentsToInput, chatRequestToAnthropicParams, DEFAULT_ANTHROPIC_MAX_TOKENS, imageBlock, jsonInstruction } from '../../shared/providers/anthropic/to-anthropic';

const sonnet = { id: 'claude-sonnet-4-5', provider_model: undefined, max_output_tokens: 64000 };

function request(partial: Partial<ChatRequest>): ChatRequest {
  return { model: 'claude-sonnet-4-5', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], sampling: {}, ...partial };
}

describe('internal → Anthropic params', () => {
  test('minimal request: model, required max_tokens default, text user turn, no system key', () => {
    expect(chatRequestToAnthropicParams(request({}), sonnet)).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: DEFAULT_ANTHROPIC_MAX_TOKENS,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    });
  });

  test('max_tokens: caller value wins; default is capped by the model limit; provider_model is sent', () => {
    expect(chatRequestToAnthropicParams(request({ sampling: { max_tokens: 123 } }), sonnet).max_tokens).toBe(123);
    const small = { id: 'tiny', provider_model: 'claude-tiny-20250101', max_output_tokens: 1000 };
    const params = chatRequestToAnthropicParams(request({}), small);
    expect(params.max_tokens).toBe(1000);
    expect(params.model).toBe('claude-tiny-20250101');
  });

  test('system blocks keep their cache_control; empty ones are dropped', () => {
    const params = chatRequestToAnthropicParams(
      request({
        system: [
          { type: 'text', text: 'Long policy', cache_control: { type: 'ephemeral', ttl: '1h' } },
          { type: 'text', text: '' },
          { type: 'text', text: 'Be brief.' },
        ],
      }),
      sonnet,
    );
    expect(params.system).toEqual([
      { type: 'text', text: 'Long policy', cache_control: { type: 'ephemeral', ttl: '1h' } },
      { type: 'text', text: 'Be brief.' },
    ]);
  });

  test('images: http URLs become url sources, data: URLs base64 sources', () => {
    const params = chatRequestToAnthropicParams(
      request({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare', cache_control: { type: 'ephemeral' } },
              { type: 'image', url: 'https://example.com/a.jpg' },
              { type: 'image', url: 'data:image/webp;base64,UklGRg==' },
            ],
          },
        ],
      }),
      sonnet,
    );
    expect(params.messages[0].content).toEqual([
      { type: 'text', text: 'Compare', cache_control: { type: 'ephemeral' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklGRg==' } },
    ]);
  });

  test('a percent-encoded data: URL is re-encoded as base64, bytes intact', () => {
    const block = imageBlock('data:image/svg+xml,%3Csvg%2F%3E%C3%A9');
    expect(block.source).toEqual({ type: 'base64', media_type: 'image/svg+xml', data: Buffer.from('<svg/>é').toString('base64') });
    expect(imageBlock('data:image/png;charset=x;base64,AAAA').source).toEqual({ type: 'base64', media_type: 'image/png', data: 'AAAA' });
  });

  test('tools keep cache_control and get an object schema; tool_choice maps to Anthropic shapes', () => {
    const params = chatRequestToAnthropicParams(
      request({
        tools: [
          { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
          { name: 'ping', parameters: {}, cache_control: { type: 'ephemeral' } },
        ],
        tool_choice: 'required',
      }),
      sonnet,
    );
    expect(params.tools).toEqual([
      { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
      { name: 'ping', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } },
    ]);
    expect(params.tool_choice).toEqual({ type: 'any' });
    const choice = (c: ChatRequest['tool_choice']) => chatRequestToAnthropicParams(request({ tool_choice: c }), sonnet).tool_choice;
    expect(choice('auto')).toEqual({ type: 'auto' });
    expect(choice('none')).toEqual({ type: 'none' });
    expect(choice({ name: 'get_weather' })).toEqual({ type: 'tool', name: 'get_weather' });
    expect(choice(undefined)).toBeUndefined();
  });

  test('parallel tool calls become tool_use blocks; consecutive tool results and a following user text merge into one user turn', () => {
    const params = chatRequestToAnthropicParams(
      request({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
          {
            role: 'assistant',
            content: [{ type: 'text', text: 'Checking both.' }],
            tool_calls: [
              { id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
              { id: 'toolu_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
          { role: 'tool', tool_call_id: 'toolu_2', content: 'service down', is_error: true },
          { role: 'user', content: [{ type: 'text', text: 'And tomorrow?' }] },
        ],
      }),
      sonnet,
    );
    expect(params.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'service down', is_error: true },
          { type: 'text', text: 'And tomorrow?' },
        ],
      },
    ]);
  });

  test('roles alternate: consecutive user turns merge, empty turns vanish, tool results go first in their turn', () => {
    const params = chatRequestToAnthropicParams(
      request({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'one' }] },
          { role: 'user', content: [{ type: 'text', text: 'two' }] },
          { role: 'assistant', content: [], tool_calls: [{ id: 't1', name: 'f', arguments: '' }] },
          { role: 'user', content: [{ type: 'text', text: 'by the way' }] },
          { role: 'tool', tool_call_id: 't1', content: '' },
          { role: 'assistant', content: [{ type: 'text', text: '' }] },
          { role: 'user', content: [{ type: 'text', text: 'three' }] },
        ],
      }),
      sonnet,
    );
    expect(params.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(params.messages[0].content).toEqual([
      { type: 'text', text: 'one' },
      { type: 'text', text: 'two' },
    ]);
    expect(params.messages[1].content).toEqual([{ type: 'tool_use', id: 't1', name: 'f', input: {} }]);
    expect(params.messages[2].content).toEqual([
      { type: 'tool_result', tool_use_id: 't1' },
      { type: 'text', text: 'by the way' },
      { type: 'text', text: 'three' },
    ]);
  });

  test('tool-call arguments that are not a JSON object are kept under _raw', () => {
    expect(argumentsToInput('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(argumentsToInput('  ')).toEqual({});
    expect(argumentsToInput('{"city": "Par')).toEqual({ _raw: '{"city": "Par' });
    expect(argumentsToInput('[1,2]')).toEqual({ _raw: '[1,2]' });
    expect(argumentsToInput('null')).toEqual({ _raw: 'null' });
  });

  test('sampling: stop → stop_sequences, temperature kept, top_p only without temperature, seed and penalties dropped, user → metadata', () => {
    const params = chatRequestToAnthropicParams(
      request({
        sampling: { temperature: 0.3, top_p: 0.9, stop: ['END', '###'], seed: 1, presence_penalty: 1, frequency_penalty: 1, max_tokens: 99 },
        user: 'user-42',
        prompt_cache_key: 'k',
      }),
      sonnet,
    );
    expect(params).toMatchObject({ stop_sequences: ['END', '###'], temperature: 0.3, max_tokens: 99, metadata: { user_id: 'user-42' } });
    for (const key of ['top_p', 'seed', 'presence_penalty', 'frequency_penalty', 'prompt_cache_key', 'stop', 'user']) expect(params).not.toHaveProperty(key);
    expect(chatRequestToAnthropicParams(request({ sampling: { top_p: 0.5 } }), sonnet).top_p).toBe(0.5);
    const dropped = chatRequestToAnthropicParams(request({ sampling: { temperature: 0.3 } }), sonnet, { sendSampling: false });
    expect(dropped).not.toHaveProperty('temperature');
  });

  test('response_format becomes a JSON instruction appended after the cached system blocks', () => {
    const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] };
    const params = chatRequestToAnthropicParams(
      request({
        system: [{ type: 'text', text: 'Policy', cache_control: { type: 'ephemeral' } }],
        response_format: { type: 'json_schema', json_schema: { name: 'result', schema, description: 'the answer' } },
      }),
      sonnet,
    );
    expect(params.system).toHaveLength(2);
    expect(params.system![0]).toEqual({ type: 'text', text: 'Policy', cache_control: { type: 'ephemeral' } });
    const instruction = (params.system as { text: string }[])[1].text;
    expect(instruction).toContain(JSON.stringify(schema));
    expect(instruction).toContain('"result"');
    expect(instruction).toMatch(/JSON/);
    expect(jsonInstruction({ type: 'json_object' })).toMatch(/JSON object/);
    expect(jsonInstruction({ type: 'text' })).toBeUndefined();
    expect(chatRequestToAnthropicParams(request({ response_format: { type: 'text' } }), sonnet)).not.toHaveProperty('system');
  });

  test('an OpenAI edge body with tools and tool results maps end to end', () => {
    const internal = openAIBodyToChatRequest(
      ChatCompletionBodySchema.parse({
        model: 'claude-sonnet-4-5',
        messages: [
          { role: 'system', content: 'sys' },
          { role: 'user', content: 'q' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }] },
          { role: 'tool', tool_call_id: 'call_9', content: 'ok' },
        ],
        tools: [{ type: 'function', function: { name: 'f' } }],
        max_tokens: 20,
      }),
    );
    expect(chatRequestToAnthropicParams(internal, sonnet)).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 20,
      system: [{ type: 'text', text: 'sys' }],
      tools: [{ name: 'f', input_schema: { type: 'object', properties: {} } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_9', name: 'f', input: { x: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_9', content: 'ok' }] },
      ],
    });
  });
});
