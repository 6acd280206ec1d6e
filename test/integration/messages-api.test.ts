import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { KEYS, startTestParsimony, type TestParsimony } from '../helpers/parsimony';

let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('messages-api');
}, 120_000);
afterAll(async () => {
  await p?.close();
});

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

async function jobOf(id: string | null) {
  expect(id).toMatch(/^job_/);
  return (await p.http(`/v1/jobs/${id}`)).json();
}

describe('POST /v1/messages with the official @anthropic-ai/sdk', () => {
  test('messages.create answers a Message and keeps the job', async () => {
    const { data, response } = await p
      .anthropic()
      .messages.create({ model: 'claude-haiku-4-5', max_tokens: 200, system: 'You are terse.', messages: [{ role: 'user', content: 'Name three primary colours.' }] })
      .withResponse();
    expect(data.type).toBe('message');
    expect(data.id).toMatch(/^msg_/);
    expect(data.role).toBe('assistant');
    expect(data.model).toBe('claude-haiku-4-5');
    expect(data.content[0].type).toBe('text');
    expect(['end_turn', 'max_tokens']).toContain(data.stop_reason);
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(data.usage.cache_creation).toEqual({ ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 });
    const job = await jobOf(response.headers.get('x-parsimony-job-id'));
    expect(job.status).toBe('completed');
    expect(job.route).toMatchObject({ model: 'claude-haiku-4-5', provider: 'anthropic' });
    expect(job.response).toMatchObject({ type: 'message', id: data.id, content: data.content });
  });

  test('messages.stream delivers the event sequence and a final message', async () => {
    const stream = p.anthropic().messages.stream({ model: 'claude-haiku-4-5', max_tokens: 300, messages: [{ role: 'user', content: 'Write two sentences about the sea.' }] });
    const types: string[] = [];
    let text = '';
    stream.on('streamEvent', (event) => types.push(event.type));
    stream.on('text', (delta) => (text += delta));
    const final = await stream.finalMessage();
    expect(types[0]).toBe('message_start');
    expect(types).toContain('content_block_start');
    expect(types).toContain('content_block_delta');
    expect(types).toContain('content_block_stop');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(final.content[0]).toMatchObject({ type: 'text', text });
    expect(text.length).toBeGreaterThan(0);
    expect(final.usage.input_tokens).toBeGreaterThan(0);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  test('a tool-use loop: tool_use, then the tool_result answered with text', async () => {
    const client = p.anthropic();
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'What is the weather in Paris? Use the tool.' }];
    const first = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 300, tools: [weatherTool], tool_choice: { type: 'any' }, messages });
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
    expect(call.name).toBe('get_weather');
    expect(typeof call.input).toBe('object');
    messages.push({ role: 'assistant', content: first.content });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: [{ type: 'text', text: '18°C and sunny' }] }] });
    const second = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 300, tools: [weatherTool], messages });
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content.some((b) => b.type === 'text')).toBe(true);
  });

  test('thinking: thinking blocks with signatures, streamed as thinking_delta / signature_delta, and sent back', async () => {
    const client = p.anthropic();
    const params = { model: 'claude-sonnet-4-6', max_tokens: 4000, thinking: { type: 'enabled' as const, budget_tokens: 2000 }, messages: [{ role: 'user' as const, content: 'Is 91 prime?' }] };
    const message = await client.messages.create(params);
    const thinking = message.content[0];
    expect(thinking.type).toBe('thinking');
    if (thinking.type !== 'thinking') return;
    expect(thinking.thinking.length).toBeGreaterThan(0);
    expect(thinking.signature.length).toBeGreaterThan(0);
    expect(message.usage.output_tokens_details?.thinking_tokens).toBeGreaterThan(0);

    // A new question: the same one would be a semantic-cache hit (the cache keeps no thinking blocks).
    const deltas: string[] = [];
    let streamedThinking = '';
    const stream = client.messages.stream({ ...params, messages: [{ role: 'user', content: 'Is 221 prime? Think about it.' }] });
    stream.on('streamEvent', (event) => {
      if (event.type !== 'content_block_delta') return;
      deltas.push(event.delta.type);
      if (event.delta.type === 'thinking_delta') streamedThinking += event.delta.thinking;
    });
    const final = await stream.finalMessage();
    expect(deltas).toContain('thinking_delta');
    expect(deltas).toContain('signature_delta');
    expect(deltas.indexOf('signature_delta')).toBeLessThan(deltas.indexOf('text_delta'));
    expect(final.content[0]).toMatchObject({ type: 'thinking', thinking: streamedThinking, signature: expect.any(String) });
    expect(final.content[1].type).toBe('text');

    // The thinking block goes back with the next turn; the simulator rejects a bad signature as Anthropic does.
    const next = await client.messages.create({ ...params, messages: [...params.messages, { role: 'assistant', content: message.content }, { role: 'user', content: 'And 97?' }] });
    expect(next.content.some((b) => b.type === 'text')).toBe(true);
  });

  test('countTokens: forwarded to Anthropic for Claude models, estimated for others', async () => {
    const client = p.anthropic();
    const claude = await client.messages.countTokens({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'How many tokens is this sentence?' }] });
    expect(claude.input_tokens).toBeGreaterThan(5);
    const openai = await client.messages.countTokens({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'How many tokens is this sentence?' }] });
    expect(openai.input_tokens).toBeGreaterThan(5);
  });

  test('models.list and models.retrieve in Anthropic’s shape', async () => {
    const client = p.anthropic();
    const ids: string[] = [];
    for await (const model of client.models.list({ limit: 2 })) {
      expect(model.type).toBe('model');
      expect(typeof model.display_name).toBe('string');
      expect(Number.isNaN(Date.parse(model.created_at))).toBe(false);
      ids.push(model.id);
    }
    expect(ids).toContain('auto');
    expect(ids).toContain('claude-haiku-4-5');
    expect(new Set(ids).size).toBe(ids.length);
    const one = await client.models.retrieve('claude-haiku-4-5');
    expect(one).toMatchObject({ type: 'model', id: 'claude-haiku-4-5' });
    await expect(client.models.retrieve('no-such-model')).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });

  test('errors arrive as the SDK’s typed errors with Anthropic error types', async () => {
    const client = p.anthropic();
    const bad = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 0, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect((bad as APIError).type).toBe('invalid_request_error');
    expect((bad as APIError).message).toMatch(/max_tokens/);

    const unknownModel = await client.messages.create({ model: 'claude-nonexistent', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(unknownModel).toBeInstanceOf(Anthropic.BadRequestError);

    const serverTool = await client.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 10, tools: [{ type: 'web_search_20250305', name: 'web_search' }], messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(serverTool).toBeInstanceOf(Anthropic.BadRequestError);
    expect((serverTool as APIError).message).toMatch(/web_search_20250305/);

    const unauth = await p
      .anthropic('acme', { apiKey: 'wrong-key' })
      .messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(unauth).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((unauth as APIError).type).toBe('authentication_error');

    const raw = await fetch(`${p.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': KEYS.acme, 'content-type': 'application/json' }, body: '{not json' });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/JSON/) } });
  });

  test('refused and forwarded fields: refused ones name the field and why, newer ones are never a 400 for being new', async () => {
    const refused = await p.http('/v1/messages', {
      method: 'POST',
      json: { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], mcp_servers: [{ type: 'url', url: 'https://x', name: 'x' }] },
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.message).toMatch(/^mcp_servers: not supported by Parsimony: MCP/);
    const newer = await p.http('/v1/messages', {
      method: 'POST',
      json: { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], inference_geo: 'us', speed: 'standard' },
    });
    expect(newer.status).toBe(200);
  });

  test('x-api-key and Bearer both authenticate', async () => {
    const body = JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
    const viaKey = await fetch(`${p.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': KEYS.globex, 'content-type': 'application/json' }, body });
    expect(viaKey.status).toBe(200);
    const viaBearer = await fetch(`${p.url}/v1/messages`, { method: 'POST', headers: { authorization: `Bearer ${KEYS.globex}`, 'content-type': 'application/json' }, body });
    expect(viaBearer.status).toBe(200);
    const none = await fetch(`${p.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { type: string }).type).toBe('error');
    // The rest of the API keeps its own error shape.
    const elsewhere = await fetch(`${p.url}/v1/jobs/job_nope`, { headers: { 'x-api-key': KEYS.globex } });
    expect((await elsewhere.json()) as unknown).toEqual({ error: { type: 'not_found_error', message: expect.any(String) } });
  });

  test('provider failures keep Anthropic’s meaning: a 529 that outlasts the retries is overloaded_error, a provider 400 is invalid_request_error', async () => {
    p.sim.faults.add({ status: 529, times: 20, match: { contains: 'always-overloaded' } });
    const overloaded = await p
      .anthropic()
      .messages.create({ model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'always-overloaded please' }] })
      .catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(APIError);
    expect((overloaded as APIError).status).toBe(529);
    expect((overloaded as APIError).type).toBe('overloaded_error');

    p.sim.faults.add({ status: 400, times: 1, match: { contains: 'provider-rejects' } });
    const rejected = await p
      .anthropic()
      .messages.create({ model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'provider-rejects this' }] })
      .catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(Anthropic.BadRequestError);
    expect((rejected as APIError).type).toBe('invalid_request_error');
    p.sim.faults.clear();
  });

  test('caller cache_control is kept: a 1-hour breakpoint writes 1-hour cache tokens, the next call reads them', async () => {
    const long = Array.from({ length: 400 }, (_, i) => `Rule ${i}: answer politely and cite the policy section ${i}.`).join(' ');
    const params = {
      model: 'claude-sonnet-4-6',
      max_tokens: 50,
      system: [{ type: 'text' as const, text: long, cache_control: { type: 'ephemeral' as const, ttl: '1h' as const } }],
      messages: [{ role: 'user' as const, content: 'First question about refunds?' }],
    };
    const first = await p.anthropic().messages.create(params);
    expect(first.usage.cache_creation?.ephemeral_1h_input_tokens).toBeGreaterThan(1000);
    expect(first.usage.cache_creation_input_tokens).toBe(first.usage.cache_creation!.ephemeral_1h_input_tokens + first.usage.cache_creation!.ephemeral_5m_input_tokens);
    const second = await p.anthropic().messages.create({ ...params, messages: [{ role: 'user', content: 'A different question about shipping times?' }] });
    expect(second.usage.cache_read_input_tokens).toBeGreaterThan(1000);
  });
});
