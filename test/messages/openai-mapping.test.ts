import type { ChatResponse, StreamEvent } from '../../shared/core/chat-model';
import { ChatCompletionBodySchema } from '../../shared/surfaces/chat-completions/request-schema';
import { openAIBodyToChatRequest } from '../../shared/surfaces/chat-completions/to-internal';
import { chatRequestToOpenAIBody, chatResponseToCompletion, OpenAIChunkEncoder } from '../../shared/surfaces/chat-completions/from-internal';
import { openAICompletionToResponse } from '../../shared/providers/openai/completion-to-internal';

/** The parts of an encoded chat.completion.chunk the tests read. */
interface Chunk {
  choices: { delta: { content?: string | null; tool_calls?: { index: number; function: { arguments: string } }[] }; finish_reason?: string | null }[];
  usage?: unknown;
}

/** Parses an edge body as the producer does, then maps it to the internal request. */
function edge(body: unknown) {
  return openAIBodyToChatRequest(ChatCompletionBodySchema.parse(body));
}

const weatherTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('OpenAI edge body → internal → provider body', () => {
  test('plain text with a system prompt survives the round trip', () => {
    const internal = edge({
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(internal.system).toEqual([{ type: 'text', text: 'Be brief.' }]);
    expect(internal.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
    const body = chatRequestToOpenAIBody(internal, 'gpt-4.1-mini-2025-04-14');
    expect(body).toEqual({
      model: 'gpt-4.1-mini-2025-04-14',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
  });

  test('system and developer messages become one system message; cache_control stays internal only', () => {
    const internal = edge({
      model: 'm',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Part A', cache_control: { type: 'ephemeral' } }] },
        { role: 'developer', content: 'Part B' },
        { role: 'user', content: 'Q' },
      ],
    });
    expect(internal.system).toEqual([
      { type: 'text', text: 'Part A', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Part B' },
    ]);
    const body = chatRequestToOpenAIBody(internal, 'm');
    expect(body.messages[0]).toEqual({ role: 'system', content: 'Part A\n\nPart B' });
    expect(JSON.stringify(body)).not.toContain('cache_control');
  });

  test('images and multi-part user content keep their order and URLs', () => {
    const internal = edge({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    });
    expect(internal.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image', url: 'https://example.com/cat.png' },
        { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=' },
      ],
    });
    const body = chatRequestToOpenAIBody(internal, 'm');
    expect(body.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      ],
    });
  });

  test('tools, tool_choice, parallel tool calls and their results round-trip', () => {
    const internal = edge({
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18C' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '24C' }] },
      ],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(internal.tool_choice).toEqual({ name: 'get_weather' });
    expect(internal.tools).toEqual([{ name: 'get_weather', description: 'Weather for a city', parameters: weatherTool.function.parameters }]);
    expect(internal.messages[1]).toEqual({
      role: 'assistant',
      content: [],
      tool_calls: [
        { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
      ],
    });
    expect(internal.messages[3]).toEqual({ role: 'tool', tool_call_id: 'call_2', content: '24C' });

    const body = chatRequestToOpenAIBody(internal, 'm');
    expect(body.tools).toEqual([weatherTool]);
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
      ],
    });
    expect(body.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'call_1', content: '18C' },
      { role: 'tool', tool_call_id: 'call_2', content: '24C' },
    ]);
  });

  test.each(['auto', 'none', 'required'] as const)('tool_choice "%s" is passed through', (choice) => {
    const internal = edge({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [weatherTool], tool_choice: choice });
    expect(internal.tool_choice).toBe(choice);
    expect(chatRequestToOpenAIBody(internal, 'm').tool_choice).toBe(choice);
  });

  test('sampling: max_tokens becomes max_completion_tokens, a single stop becomes a list, nulls vanish', () => {
    const internal = edge({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 50,
      stop: 'END',
      temperature: 0.2,
      top_p: null,
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      user: 'u-1',
      prompt_cache_key: 'pk',
      response_format: { type: 'json_object' },
    });
    expect(internal.sampling).toEqual({ max_tokens: 50, stop: ['END'], temperature: 0.2, seed: 7, presence_penalty: 0.5, frequency_penalty: -0.5 });
    const body = chatRequestToOpenAIBody(internal, 'm');
    expect(body).toMatchObject({
      max_completion_tokens: 50,
      stop: ['END'],
      temperature: 0.2,
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      user: 'u-1',
      prompt_cache_key: 'pk',
      response_format: { type: 'json_object' },
    });
    expect(body).not.toHaveProperty('top_p');
    expect(body).not.toHaveProperty('max_tokens');
  });

  test('max_completion_tokens wins over max_tokens', () => {
    const internal = edge({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 10, max_completion_tokens: 20 });
    expect(internal.sampling.max_tokens).toBe(20);
  });
});

describe('provider completion → internal → OpenAI completion', () => {
  const completion = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-4.1-mini-2025-04-14',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        finish_reason: 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 1200, completion_tokens: 30, total_tokens: 1230, prompt_tokens_details: { cached_tokens: 1024 }, completion_tokens_details: { reasoning_tokens: 12 } },
  };

  test('tool calls, finish reason and cached usage map in and back out', () => {
    const response = openAICompletionToResponse(completion);
    expect(response).toEqual({
      id: 'chatcmpl-1',
      model: 'gpt-4.1-mini-2025-04-14',
      created: 1_700_000_000,
      content: null,
      tool_calls: [
        { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
      ],
      finish_reason: 'tool_calls',
      usage: { input_tokens: 1200, output_tokens: 30, cached_input_tokens: 1024, cache_write_tokens: 0, reasoning_tokens: 12 },
    });
    const back = chatResponseToCompletion(response, 'chatcmpl-parsimony', 'auto');
    expect(back.choices[0].message.tool_calls).toEqual(completion.choices[0].message.tool_calls);
    expect(back.choices[0].finish_reason).toBe('tool_calls');
    expect(back.usage).toEqual(completion.usage);
    expect(back.id).toBe('chatcmpl-parsimony');
    expect(back.model).toBe('auto');
  });

  test.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['content_filter', 'content_filter'],
    ['function_call', 'tool_calls'],
    [null, 'stop'],
  ])('finish_reason %s → %s', (reason, expected) => {
    const r = openAICompletionToResponse({ ...completion, choices: [{ message: { content: 'x' }, finish_reason: reason }] });
    expect(r.finish_reason).toBe(expected);
  });

  test('a text answer without usage maps to zero usage and no tool_calls key on the way out', () => {
    const r = openAICompletionToResponse({ id: 'c', created: 1, model: 'm', choices: [{ message: { content: 'Hello' }, finish_reason: 'stop' }] });
    expect(r.content).toBe('Hello');
    expect(r.usage).toEqual({ input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0 });
    const out = chatResponseToCompletion(r, 'c', 'm');
    expect(out.choices[0].message).toEqual({ role: 'assistant', content: 'Hello', refusal: null });
  });
});

describe('stream events → OpenAI chunks', () => {
  const done: ChatResponse = {
    id: 'x',
    model: 'm',
    created: 5,
    content: 'Hi',
    tool_calls: [{ id: 'call_1', name: 'f', arguments: '{"a":1}' }],
    finish_reason: 'tool_calls',
    usage: { input_tokens: 10, output_tokens: 3, cached_input_tokens: 4, cache_write_tokens: 0 },
  };
  const events: StreamEvent[] = [
    { type: 'text', text: 'Hi' },
    { type: 'tool_call_start', index: 0, id: 'call_1', name: 'f' },
    { type: 'tool_call_args', index: 0, arguments: '{"a":' },
    { type: 'tool_call_args', index: 0, arguments: '1}' },
    { type: 'done', response: done },
  ];

  test('first chunk carries the role, tool calls stream by index, the last two are finish and usage', () => {
    const encoder = new OpenAIChunkEncoder('chatcmpl-s', 'auto', 99, true);
    const chunks = events.flatMap((e) => encoder.encode(e)) as unknown as Chunk[];
    expect(chunks).toHaveLength(6);
    for (const c of chunks) expect(c).toMatchObject({ id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 99, model: 'auto' });
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: 'Hi' });
    expect(chunks[1].choices[0].delta).toEqual({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] });
    expect(chunks[2].choices[0].delta).toEqual({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] });
    expect(chunks[3].choices[0].delta).toEqual({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] });
    expect(chunks[4].choices[0]).toMatchObject({ delta: {}, finish_reason: 'tool_calls' });
    expect(chunks[5].choices).toEqual([]);
    expect(chunks[5].usage).toEqual({ prompt_tokens: 10, completion_tokens: 3, total_tokens: 13, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 0 } });
    // What a client reassembles equals the final response.
    const args = chunks
      .flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
      .map((t) => t.function.arguments)
      .join('');
    expect(args).toBe(done.tool_calls[0].arguments);
  });

  test('without include_usage there is no usage chunk', () => {
    const encoder = new OpenAIChunkEncoder('c', 'm', 1, false);
    const chunks = events.flatMap((e) => encoder.encode(e)) as unknown as Chunk[];
    expect(chunks).toHaveLength(5);
    expect(chunks.some((c) => 'usage' in c)).toBe(false);
  });

  test('a bare done still sends the role first', () => {
    const encoder = new OpenAIChunkEncoder('c', 'm', 1, false);
    const [chunk] = encoder.encode({ type: 'done', response: { ...done, content: null, tool_calls: [], finish_reason: 'stop' } }) as unknown as Chunk[];
    expect(chunk.choices[0]).toMatchObject({ delta: { role: 'assistant' }, finish_reason: 'stop' });
  });
});
