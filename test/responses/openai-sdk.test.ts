import type OpenAI from 'openai';
import { startTestParsimony, type TestParsimony } from '../helpers/parsimony';

let p: TestParsimony | undefined;
beforeAll(async () => {
  // globex's routing policy answers its small-tier traffic with Claude: model "auto" on this surface can reach Anthropic.
  p = await startTestParsimony('responses-sdk', { PARSIMONY_ROUTING_POLICY: JSON.stringify({ globex: { maxTier: 'small', pinned: { small: 'claude-haiku-4-5' } } }) });
}, 120_000);
afterAll(async () => {
  await p?.close();
});
const P = () => p!;

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

describe('POST /v1/responses with the official openai SDK', () => {
  test('responses.create: a Response object with output_text, usage details and a job', async () => {
    const { data, response } = await P()
      .openai()
      .responses.create({ model: 'gpt-4.1-mini', instructions: 'Answer briefly.', input: 'Name three primary colours.', metadata: { run: 't1' } })
      .withResponse();
    expect(data.object).toBe('response');
    expect(data.id).toMatch(/^resp_/);
    expect(data.status).toBe('completed');
    expect(data.model).toBe('gpt-4.1-mini');
    expect(data.instructions).toBe('Answer briefly.');
    expect(data.metadata).toEqual({ run: 't1' });
    const message = data.output.find((o) => o.type === 'message');
    expect(message).toMatchObject({ role: 'assistant', status: 'completed' });
    expect(data.output_text.length).toBeGreaterThan(0);
    expect(data.usage!.input_tokens).toBeGreaterThan(0);
    expect(data.usage!.input_tokens_details.cached_tokens).toBe(0);
    expect(data.usage!.output_tokens_details.reasoning_tokens).toBe(0);
    expect(data.usage!.total_tokens).toBe(data.usage!.input_tokens + data.usage!.output_tokens);

    const jobId = response.headers.get('x-parsimony-job-id');
    const job = await (await P().http(`/v1/jobs/${jobId}`)).json();
    expect(job.status).toBe('completed');
    expect(job.response.object).toBe('response');
    expect(job.response.id).toBe(data.id);
    expect(job.response.output).toEqual(data.output);
    expect(job.cost.baseline_usd).toBeGreaterThan(0);
  });

  test('a function-tool loop continued with previous_response_id, then retrieve, input_items and delete', async () => {
    const client = P().openai();
    const first = await client.responses.create({ model: 'gpt-4.1-mini', input: 'What is the weather in Paris?', tools: [weatherTool], tool_choice: 'required' });
    const call = first.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call');
    expect(call).toBeDefined();
    expect(call!.name).toBe('get_weather');
    expect(call!.call_id).toBeTruthy();
    expect(JSON.parse(call!.arguments)).toHaveProperty('city');

    const second = await client.responses.create({
      model: 'gpt-4.1-mini',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call!.call_id, output: '{"temp_c": 21, "sky": "clear"}' }],
      tools: [weatherTool],
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output_text).toMatch(/tool result/);

    const got = await client.responses.retrieve(second.id);
    expect(got.id).toBe(second.id);
    expect(got.output_text).toBe(second.output_text);

    // The second response's input is the whole conversation: the user message, the call, and its output.
    const items = await client.responses.inputItems.list(second.id, { order: 'asc' });
    expect(items.data.map((i) => i.type)).toEqual(['message', 'function_call', 'function_call_output']);
    const page = await client.responses.inputItems.list(second.id, { limit: 1 });
    expect(page.data).toHaveLength(1);
    expect(page.data[0].type).toBe('function_call_output');
    expect(page.has_more).toBe(true);

    await client.responses.delete(second.id);
    await expect(client.responses.retrieve(second.id)).rejects.toMatchObject({ status: 404 });
  });

  test('reasoning effort reaches a reasoning model; its reasoning tokens come back in the usage and the job', async () => {
    const { data, response } = await P()
      .openai()
      .responses.create({ model: 'gpt-5.4-mini', input: 'Plan a three-day trip to Kyoto.', reasoning: { effort: 'high' } })
      .withResponse();
    expect(data.reasoning).toMatchObject({ effort: 'high' });
    expect(data.usage!.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    expect(data.usage!.output_tokens).toBeGreaterThan(data.usage!.output_tokens_details.reasoning_tokens);
    const job = await (await P().http(`/v1/jobs/${response.headers.get('x-parsimony-job-id')}`)).json();
    expect(job.usage.reasoning_tokens).toBe(data.usage!.output_tokens_details.reasoning_tokens);
  });

  test('tenant isolation: another tenant cannot read, continue, list or delete a response', async () => {
    const mine = await P().openai('acme').responses.create({ model: 'gpt-4.1-mini', input: 'Hello there.' });
    const other = P().openai('globex');
    await expect(other.responses.retrieve(mine.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.inputItems.list(mine.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.delete(mine.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.create({ model: 'gpt-4.1-mini', previous_response_id: mine.id, input: 'and?' })).rejects.toMatchObject({ status: 404 });
    expect((await P().openai('acme').responses.retrieve(mine.id)).id).toBe(mine.id);
  });

  test('store: false keeps nothing', async () => {
    const r = await P().openai().responses.create({ model: 'gpt-4.1-mini', input: 'Say hi.', store: false });
    expect((r as unknown as { store: boolean }).store).toBe(false);
    await expect(P().openai().responses.retrieve(r.id)).rejects.toMatchObject({ status: 404 });
  });

  test('a hosted tool is refused with a 400 naming the tool and why', async () => {
    const err = await P()
      .openai()
      .responses.create({ model: 'gpt-4.1-mini', input: 'news today?', tools: [{ type: 'web_search' }] })
      .catch((e: unknown) => e as { status: number; error: { message: string } });
    expect(err.error).toBeTruthy();
    expect(err).toMatchObject({ status: 400 });
    expect(err.error!.message).toMatch(/tools\.0: tool type "web_search".*web search/);
  });

  test('a field Parsimony cannot serve is refused naming it; newer fields are accepted', async () => {
    const res = await P().http('/v1/responses', { method: 'POST', json: { model: 'gpt-4.1-mini', input: 'hi', background: true } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/^background: .*\/v1\/jobs/);
    const typo = await P().http('/v1/responses', { method: 'POST', json: { model: 'gpt-4.1-mini', input: 'hi', temprature: 0.2 } });
    expect(typo.status).toBe(400);
    const ok = await P().http('/v1/responses', {
      method: 'POST',
      json: {
        model: 'gpt-4.1-mini',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'Give me JSON.' }] }],
        text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] } }, verbosity: 'low' },
        truncation: 'auto',
        include: ['reasoning.encrypted_content'],
        prompt_cache_key: 'k1',
        prompt_cache_retention: '24h',
        safety_identifier: 'user-1',
        service_tier: 'auto',
        stream_options: { include_obfuscation: false },
        parallel_tool_calls: false,
        top_p: 0.9,
        temperature: 0.3,
        max_output_tokens: 200,
        top_logprobs: 0,
        user: 'u1',
      },
    });
    const body = await ok.json();
    expect(ok.status).toBe(200);
    const text = body.output.find((o: { type: string }) => o.type === 'message').content[0].text;
    expect(JSON.parse(text)).toHaveProperty('answer');
    expect(body.text.format.type).toBe('json_schema');
    expect(body.parallel_tool_calls).toBe(false);
  });

  test('responses.stream: the event sequence, numbered, and the final response', async () => {
    const stream = P().openai().responses.stream({ model: 'gpt-4.1-mini', input: 'Describe the sea in two sentences.' });
    const types: string[] = [];
    const numbers: number[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      numbers.push(event.sequence_number);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    const final = await stream.finalResponse();
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types).toContain('response.output_text.delta');
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    expect(numbers).toEqual(numbers.map((_, i) => i));
    expect(final.output_text).toBe(text);
    expect((await P().openai().responses.retrieve(final.id)).output_text).toBe(text);
  });

  test('streamed function call: arguments deltas and done', async () => {
    const stream = P()
      .openai()
      .responses.stream({ model: 'gpt-4.1-mini', input: 'Weather in Oslo?', tools: [weatherTool], tool_choice: { type: 'function', name: 'get_weather' } });
    const types: string[] = [];
    let args = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.function_call_arguments.delta') args += event.delta;
    }
    const final = await stream.finalResponse();
    const call = final.output.find((o) => o.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
    expect(types).toContain('response.function_call_arguments.done');
    expect(call.arguments).toBe(args);
    expect(JSON.parse(args)).toHaveProperty('city');
  });

  test('provider failures: retried ones are invisible; a refused request is an HTTP error before any event', async () => {
    P().sim.faults.add({ status: 500, times: 1, match: { contains: 'flaky-responses' } });
    const ok = await P().openai().responses.create({ model: 'gpt-4.1-mini', input: 'flaky-responses: say hi' });
    expect(ok.status).toBe('completed');
    P().sim.faults.add({ status: 400, times: 1, match: { contains: 'refused-stream' } });
    const stream = P().openai().responses.stream({ model: 'gpt-4.1-mini', input: 'refused-stream: say hi' });
    await expect(stream.finalResponse()).rejects.toMatchObject({ status: 400 });
  });

  test('hints: x-parsimony-* headers and the parsimony body object steer model "auto"', async () => {
    const viaHeader = await P().http('/v1/responses', { method: 'POST', headers: { 'x-parsimony-min-tier': 'frontier' }, json: { model: 'auto', input: 'Classify the sentiment: great phone' } });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.headers.get('x-parsimony-tier')).toBe('frontier');
    const viaBody = await P().http('/v1/responses', {
      method: 'POST',
      json: { model: 'auto', input: 'Classify the sentiment: great phone', parsimony: { max_tier: 'small', cache: { mode: 'off' } } },
    });
    expect(viaBody.headers.get('x-parsimony-tier')).toBe('small');
    expect((await viaBody.json()).model).toBe(viaBody.headers.get('x-parsimony-model'));
  });

  test('an explicit Claude model answers a Responses request, tool loop included', async () => {
    const client = P().openai();
    const first = await client.responses.create({ model: 'claude-haiku-4-5', input: 'What is the weather in Rome?', tools: [weatherTool], tool_choice: 'required' });
    expect(first.model).toBe('claude-haiku-4-5');
    const call = first.output.find((o) => o.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call.call_id).toMatch(/^toolu_/);
    const second = await client.responses.create({
      model: 'claude-haiku-4-5',
      input: [
        { role: 'user', content: 'What is the weather in Rome?' },
        ...(first.output as OpenAI.Responses.ResponseInputItem[]),
        { type: 'function_call_output', call_id: call.call_id, output: '18 C, rain' },
      ],
      tools: [weatherTool],
      store: false,
    });
    expect(second.output_text).toMatch(/tool result/);
  });

  test('model "auto" routed to Claude by the tenant policy: a stored tool loop through Anthropic and back', async () => {
    const client = P().openai('globex');
    const first = await client.responses.create({ model: 'auto', input: 'What is the weather in Rome?', tools: [weatherTool], tool_choice: 'required' });
    expect(first.model).toBe('claude-haiku-4-5');
    const call = first.output.find((o) => o.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call.call_id).toMatch(/^toolu_/);
    const second = await client.responses.create({
      model: 'auto',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '18 C, rain' }],
      tools: [weatherTool],
    });
    expect(second.model).toBe('claude-haiku-4-5');
    expect(second.output_text).toMatch(/tool result/);
    expect(second.usage!.input_tokens).toBeGreaterThan(first.usage!.input_tokens);
    const savings = await (await P().http('/v1/savings', { tenant: 'globex' })).json();
    expect(savings.requests).toBeGreaterThanOrEqual(2);
  });
});
