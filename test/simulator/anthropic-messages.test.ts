import Anthropic from '@anthropic-ai/sdk';
import type { Simulator } from '../../infra/simulator/server';
import { CLAUDE, anthropicClient, startTestSimulator } from './helpers';

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Get the current weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city', 'unit'] },
};

describe('Anthropic messages through the official SDK', () => {
  let sim: Simulator;
  let client: Anthropic;
  beforeAll(async () => {
    sim = await startTestSimulator();
    client = anthropicClient(sim);
  }, 120_000);
  afterAll(() => sim.close());

  it('answers with a real message object and usage', async () => {
    const msg = await client.messages.create({ model: CLAUDE, max_tokens: 400, system: 'You are terse.', messages: [{ role: 'user', content: 'Status of ticket TCK-77?' }] });
    expect(msg.type).toBe('message');
    expect(msg.id).toMatch(/^msg_01/);
    expect(msg.role).toBe('assistant');
    expect(msg.model).toBe(CLAUDE);
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.stop_sequence).toBeNull();
    expect(msg.content[0].type).toBe('text');
    expect((msg.content[0] as Anthropic.TextBlock).text).toContain('TCK-77');
    expect(msg.usage.input_tokens).toBeGreaterThan(5);
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
    expect(msg.usage.cache_read_input_tokens).toBe(0);
    expect(msg.usage.cache_creation_input_tokens).toBe(0);
  });

  it('is deterministic and stops at max_tokens with stop_reason "max_tokens"', async () => {
    const params = { model: CLAUDE, max_tokens: 4, messages: [{ role: 'user' as const, content: 'Write an essay about bridges.' }] };
    const a = await client.messages.create(params);
    const b = await client.messages.create(params);
    expect(a.stop_reason).toBe('max_tokens');
    expect(a.usage.output_tokens).toBe(4);
    expect(a.content).toEqual(b.content);
  });

  it('streams the real event sequence, and the SDK accumulates the same message', async () => {
    const stream = client.messages.stream({ model: CLAUDE, max_tokens: 400, messages: [{ role: 'user', content: 'Explain invoice INV-9.' }] });
    const types: string[] = [];
    stream.on('streamEvent', (e) => types.push(e.type));
    const final = await stream.finalMessage();
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(types).toContain('content_block_start');
    expect(types).toContain('content_block_delta');
    expect(types).toContain('content_block_stop');
    expect(final.stop_reason).toBe('end_turn');
    const whole = await client.messages.create({ model: CLAUDE, max_tokens: 400, messages: [{ role: 'user', content: 'Explain invoice INV-9.' }] });
    expect((final.content[0] as Anthropic.TextBlock).text).toBe((whole.content[0] as Anthropic.TextBlock).text);
    expect(final.usage.output_tokens).toBe(whole.usage.output_tokens);
    expect(final.usage.input_tokens).toBe(whole.usage.input_tokens);
  });

  it('uses a tool (also streamed as input_json_delta) and answers the tool_result with text', async () => {
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'What is the weather in Berlin right now?' }];
    const msg = await client.messages.create({ model: CLAUDE, max_tokens: 300, tools: [weatherTool], messages });
    expect(msg.stop_reason).toBe('tool_use');
    const use = msg.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
    expect(use.id).toMatch(/^toolu_01/);
    expect(use.name).toBe('get_weather');
    expect(use.input).toMatchObject({ city: 'Berlin' });
    expect(['celsius', 'fahrenheit']).toContain((use.input as { unit: string }).unit);

    const raw = await client.messages.create({ model: CLAUDE, max_tokens: 300, tools: [weatherTool], messages, stream: true });
    const partial: string[] = [];
    let blockStart: unknown;
    for await (const event of raw) {
      if (event.type === 'content_block_start') blockStart = event.content_block;
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') partial.push(event.delta.partial_json);
    }
    expect(blockStart).toMatchObject({ type: 'tool_use', name: 'get_weather', input: {} });
    expect(JSON.parse(partial.join(''))).toEqual(use.input);

    messages.push({ role: 'assistant', content: msg.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'Berlin: 12 degrees, rain' }] });
    const after = await client.messages.create({ model: CLAUDE, max_tokens: 300, tools: [weatherTool], messages });
    expect(after.stop_reason).toBe('end_turn');
    expect(after.content[0].type).toBe('text');
    expect((after.content[0] as Anthropic.TextBlock).text).toContain('12');
  });

  it('honours tool_choice tool/none and stop_sequences', async () => {
    const forced = await client.messages.create({
      model: CLAUDE,
      max_tokens: 300,
      tools: [weatherTool],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(forced.content[0].type).toBe('tool_use');
    const none = await client.messages.create({ model: CLAUDE, max_tokens: 300, tools: [weatherTool], tool_choice: { type: 'none' }, messages: [{ role: 'user', content: 'weather?' }] });
    expect(none.content[0].type).toBe('text');
    const text = (none.content[0] as Anthropic.TextBlock).text;
    const stopWord = text.split(' ')[3];
    const stopped = await client.messages.create({
      model: CLAUDE,
      max_tokens: 300,
      tools: [weatherTool],
      tool_choice: { type: 'none' },
      stop_sequences: [` ${stopWord}`],
      messages: [{ role: 'user', content: 'weather?' }],
    });
    expect(stopped.stop_reason).toBe('stop_sequence');
    expect(stopped.stop_sequence).toBe(` ${stopWord}`);
    expect((stopped.content[0] as Anthropic.TextBlock).text.length).toBeLessThan(text.length);
  });

  it('produces JSON matching output_config.format', async () => {
    const msg = await client.messages.create({
      model: CLAUDE,
      max_tokens: 500,
      output_config: {
        format: { type: 'json_schema', schema: { type: 'object', properties: { title: { type: 'string' }, score: { type: 'number', minimum: 0, maximum: 1 } }, required: ['title', 'score'] } },
      },
      messages: [{ role: 'user', content: 'Rate this.' }],
    });
    const value = JSON.parse((msg.content[0] as Anthropic.TextBlock).text);
    expect(typeof value.title).toBe('string');
    expect(value.score).toBeGreaterThanOrEqual(0);
    expect(value.score).toBeLessThanOrEqual(1);
  });

  it('rejects malformed requests with Anthropic 400 bodies', async () => {
    const expect400 = async (body: unknown, message: RegExp) => {
      // An explicit timeout: without one the SDK refuses large non-streamed max_tokens client-side.
      const err = await client.messages.create(body as never, { timeout: 10_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Anthropic.BadRequestError);
      const e = err as InstanceType<typeof Anthropic.BadRequestError>;
      expect(e.status).toBe(400);
      expect(e.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      // The SDK's err.message is "400 {json body}"; the provider's message is in err.error.error.message.
      expect((e.error as { error: { message: string } }).error.message).toMatch(message);
    };
    await expect400({ model: CLAUDE, messages: [{ role: 'user', content: 'hi' }] }, /max_tokens: Field required/);
    await expect400({ max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, /model: Field required/);
    await expect400(
      {
        model: CLAUDE,
        max_tokens: 10,
        messages: [
          { role: 'user', content: 'a' },
          { role: 'user', content: 'b' },
        ],
      },
      /roles must alternate between "user" and "assistant"/,
    );
    await expect400(
      { model: CLAUDE, max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: 'r' }] }] },
      /unexpected `tool_use_id` found in `tool_result` blocks: toolu_x/,
    );
    await expect400(
      {
        model: CLAUDE,
        max_tokens: 10,
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }] },
          { role: 'user', content: 'no result here' },
        ],
      },
      /`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1/,
    );
    await expect400({ model: CLAUDE, max_tokens: 999_999, messages: [{ role: 'user', content: 'hi' }] }, /maximum allowed number of output tokens/);
    const many = Array.from({ length: 5 }, (_, i) => ({ type: 'text' as const, text: `part ${i}`, cache_control: { type: 'ephemeral' as const } }));
    await expect400({ model: CLAUDE, max_tokens: 10, system: many, messages: [{ role: 'user', content: 'hi' }] }, /A maximum of 4 blocks with cache_control/);
  });

  it('requires an API key: 401 authentication_error', async () => {
    const res = await fetch(`${sim.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: 'x-api-key header is required' } });
    const noVersion = await fetch(`${sim.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'k' }, body: '{}' });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
  });

  it('counts tokens like messages.create does', async () => {
    const params = { model: CLAUDE, messages: [{ role: 'user' as const, content: 'How many tokens is this sentence, roughly?' }], tools: [weatherTool] };
    const counted = await client.messages.countTokens(params);
    const msg = await client.messages.create({ ...params, max_tokens: 50, tool_choice: { type: 'none' } });
    expect(counted.input_tokens).toBeGreaterThan(300); // the tool-use system prompt is billed
    expect(counted.input_tokens).toBe(msg.usage.input_tokens);
  });
});
