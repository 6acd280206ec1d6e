import OpenAI from 'openai';
import type { Simulator } from '../../infra/simulator/server';
import { GPT, openaiClient, startTestSimulator } from './helpers';

const weatherTool: OpenAI.Chat.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] }, days: { type: 'integer', minimum: 1, maximum: 7 } },
      required: ['city', 'unit', 'days'],
    },
  },
};
const searchTool: OpenAI.Chat.ChatCompletionTool = {
  type: 'function',
  function: { name: 'search_orders', description: 'Search customer orders', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } },
};

describe('OpenAI chat completions through the official SDK', () => {
  let sim: Simulator;
  let client: OpenAI;
  beforeAll(async () => {
    sim = await startTestSimulator();
    client = openaiClient(sim);
  }, 120_000);
  afterAll(() => sim.close());

  it('answers a non-streamed request with a real chat.completion and usage', async () => {
    const res = await client.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'Where is order ORD-5521? It had 17 items.' }] });
    expect(res.object).toBe('chat.completion');
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.model).toBe(GPT);
    const choice = res.choices[0];
    expect(choice.finish_reason).toBe('stop');
    expect(choice.message.role).toBe('assistant');
    expect(choice.message.content).toContain('ORD-5521');
    expect(choice.message.content).toContain('17');
    expect(res.usage!.prompt_tokens).toBeGreaterThan(10);
    expect(res.usage!.prompt_tokens).toBeLessThan(40);
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);
    expect(res.usage!.prompt_tokens_details!.cached_tokens).toBe(0);
  });

  it('is deterministic: the same request gives the same answer', async () => {
    const body = { model: GPT, messages: [{ role: 'user' as const, content: 'Summarise the refund policy in two lines.' }] };
    const a = await client.chat.completions.create(body);
    const b = await client.chat.completions.create(body);
    const c = await client.chat.completions.create({ ...body, messages: [{ role: 'user', content: 'Summarise the shipping policy in two lines.' }] });
    expect(a.choices[0].message.content).toBe(b.choices[0].message.content);
    expect(a.usage).toEqual(b.usage);
    expect(c.choices[0].message.content).not.toBe(a.choices[0].message.content);
  });

  it('stops at max_tokens with finish_reason "length"', async () => {
    const res = await client.chat.completions.create({ model: GPT, max_completion_tokens: 5, messages: [{ role: 'user', content: 'Tell me a long story about dragons.' }] });
    expect(res.choices[0].finish_reason).toBe('length');
    expect(res.usage!.completion_tokens).toBe(5);
  });

  it('streams chunks ending in [DONE], with a final usage chunk when include_usage is set', async () => {
    const stream = await client.chat.completions.create({
      model: GPT,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Describe invoice INV-204.' }],
    });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toContain('INV-204');
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finish?.choices[0].finish_reason).toBe('stop');
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);

    // The streamed text is the same answer the non-streamed call gives.
    const whole = await client.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'Describe invoice INV-204.' }] });
    expect(text).toBe(whole.choices[0].message.content);
  });

  it('calls a tool with schema-valid arguments, then answers the tool result with text', async () => {
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Lisbon for the next 3 days?' }];
    const res = await client.chat.completions.create({ model: GPT, messages, tools: [searchTool, weatherTool] });
    const choice = res.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe('get_weather');
    const args = JSON.parse(call.function.arguments);
    expect(args.city).toBe('Lisbon');
    expect(['celsius', 'fahrenheit']).toContain(args.unit);
    expect(args.days).toBe(3);

    messages.push(choice.message, { role: 'tool', tool_call_id: call.id, content: '{"temp_c": 21, "sky": "clear"}' });
    const after = await client.chat.completions.create({ model: GPT, messages, tools: [searchTool, weatherTool] });
    expect(after.choices[0].finish_reason).toBe('stop');
    expect(after.choices[0].message.tool_calls).toBeUndefined();
    expect(after.choices[0].message.content).toContain('21');
  });

  it('honours tool_choice: a named function (finish_reason "stop", like the real API) and "none"', async () => {
    const named = await client.chat.completions.create({
      model: GPT,
      messages: [{ role: 'user', content: 'Weather please' }],
      tools: [weatherTool, searchTool],
      tool_choice: { type: 'function', function: { name: 'search_orders' } },
    });
    const call = named.choices[0].message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe('search_orders');
    expect(named.choices[0].finish_reason).toBe('stop');
    const none = await client.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'Weather please' }], tools: [weatherTool], tool_choice: 'none' });
    expect(none.choices[0].message.tool_calls).toBeUndefined();
    expect(typeof none.choices[0].message.content).toBe('string');
  });

  it('streams a tool call: id/type/name with empty arguments first, then argument fragments', async () => {
    const stream = await client.chat.completions.create({ model: GPT, stream: true, messages: [{ role: 'user', content: 'Weather in Oslo?' }], tools: [weatherTool] });
    const deltas: OpenAI.Chat.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(deltas[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(deltas[0].id).toMatch(/^call_/);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.slice(1).every((d) => d.id === undefined && d.function?.name === undefined)).toBe(true);
    const args = JSON.parse(deltas.map((d) => d.function?.arguments ?? '').join(''));
    expect(args).toMatchObject({ city: 'Oslo' });
    expect(finish).toBe('tool_calls');
  });

  it('produces valid JSON for response_format json_schema and json_object', async () => {
    const res = await client.chat.completions.create({
      model: GPT,
      messages: [{ role: 'user', content: 'Extract the person: Maria, 34 years old, maria@example.org' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'person',
          strict: true,
          schema: {
            type: 'object',
            properties: { name: { type: 'string' }, age: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } }, status: { enum: ['active', 'inactive'] } },
            required: ['name', 'age', 'tags', 'status'],
            additionalProperties: false,
          },
        },
      },
    });
    const value = JSON.parse(res.choices[0].message.content!);
    expect(typeof value.name).toBe('string');
    expect(Number.isInteger(value.age)).toBe(true);
    expect(Array.isArray(value.tags)).toBe(true);
    expect(['active', 'inactive']).toContain(value.status);

    const obj = await client.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'Reply in JSON please' }], response_format: { type: 'json_object' } });
    expect(typeof JSON.parse(obj.choices[0].message.content!)).toBe('object');
  });

  it('rejects malformed requests with OpenAI 400 bodies', async () => {
    const expect400 = async (body: unknown, param: string | null, message: RegExp) => {
      const err = await client.chat.completions.create(body as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      const e = err as InstanceType<typeof OpenAI.BadRequestError>;
      expect(e.status).toBe(400);
      expect(e.type).toBe('invalid_request_error');
      expect(e.param).toBe(param);
      expect(e.message).toMatch(message);
    };
    await expect400({ messages: [{ role: 'user', content: 'hi' }] }, null, /must provide a model/);
    await expect400({ model: GPT }, 'messages', /Missing required parameter: 'messages'/);
    await expect400({ model: GPT, messages: [] }, 'messages', /empty array/);
    await expect400({ model: GPT, messages: [{ role: 'tool', tool_call_id: 'call_x', content: 'r' }] }, 'messages.[0].role', /preceeding message with 'tool_calls'/);
    await expect400({ model: GPT, messages: [{ role: 'user', content: 'hi' }], temprature: 1 }, null, /Unrecognized request argument supplied: temprature/);
    await expect400({ model: GPT, messages: [{ role: 'user', content: 'hi' }], temperature: 3 }, 'temperature', /Expected a value <= 2/);
    await expect400({ model: GPT, messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_object' } }, 'messages', /must contain the word 'json'/);
    await expect400({ model: GPT, messages: [{ role: 'user', content: 'hi' }], max_tokens: 100_000 }, 'max_tokens', /at most 16384 completion tokens/);
    await expect400(
      { model: GPT, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] }] },
      'messages[0].content[0]',
      /'cache_control' was unexpected/,
    );
  });

  it('requires an API key: 401 in OpenAI shape', async () => {
    const res = await fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: GPT, messages: [] }) });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: null, code: null });
    expect(body.error.message).toMatch(/API key/);
  });

  it('returns deterministic, similarity-preserving embeddings with dimensions and usage', async () => {
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['refund policy for orders', 'refund policy for returns', 'weather in tokyo'], dimensions: 256 });
    expect(res.data).toHaveLength(3);
    expect(res.data[0].embedding).toHaveLength(256);
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    const [a, b, c] = res.data.map((d) => d.embedding);
    const cos = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i], 0);
    expect(cos(a, a)).toBeCloseTo(1, 4);
    expect(cos(a, b)).toBeGreaterThan(cos(a, c));
    const again = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'refund policy for orders', dimensions: 256 });
    expect(again.data[0].embedding).toEqual(a);
    const full = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'x', encoding_format: 'float' });
    expect(full.data[0].embedding).toHaveLength(3072);
    const err = await client.embeddings.create({ model: 'text-embedding-ada-002', input: 'x', dimensions: 8 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('counts requests and tokens in stats', async () => {
    const before = sim.stats();
    await client.chat.completions.create({ model: 'stats-model', messages: [{ role: 'user', content: 'hello' }] });
    const after = sim.stats();
    expect(after.chat_calls).toBe(before.chat_calls + 1);
    expect(after.requests['/v1/chat/completions']).toBe((before.requests['/v1/chat/completions'] ?? 0) + 1);
    expect(after.by_model['stats-model'].calls).toBe(1);
    expect(after.by_model['stats-model'].input_tokens).toBeGreaterThan(0);
  });
});
