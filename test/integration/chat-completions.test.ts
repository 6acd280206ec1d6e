import OpenAI from 'openai';
import { chatBody, startTestParsimony, type TestParsimony } from '../helpers/parsimony';

let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('chat');
}, 120_000);
afterAll(async () => {
  await p.close();
});

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('POST /v1/chat/completions with the official openai SDK', () => {
  test('non-streaming answer carries the OpenAI shape and a job id', async () => {
    const { data, response } = await p
      .openai()
      .chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Name three primary colours.' }] })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0].message.role).toBe('assistant');
    expect(typeof data.choices[0].message.content).toBe('string');
    expect(data.usage!.prompt_tokens).toBeGreaterThan(0);
    const jobId = response.headers.get('x-parsimony-job-id');
    expect(jobId).toMatch(/^job_/);

    const job = await (await p.http(`/v1/jobs/${jobId}`)).json();
    expect(job.status).toBe('completed');
    expect(job.route).toMatchObject({ model: 'gpt-4.1-mini', provider: 'openai', tier: 'mid' });
    expect(job.response.choices[0].message.content).toBe(data.choices[0].message.content);
    expect(job.cost.baseline_usd).toBeGreaterThan(job.cost.actual_usd);
    expect(job.cost.saved_usd).toBeCloseTo(job.cost.baseline_usd - job.cost.actual_usd, 8);
  });

  test('model "auto" resolves to a catalog model and says why', async () => {
    const { response } = await p
      .openai()
      .chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hello' }] })
      .withResponse();
    const job = await (await p.http(`/v1/jobs/${response.headers.get('x-parsimony-job-id')}`)).json();
    expect(job.route.model).toBeTruthy();
    expect(job.route.reason).toMatch(/\w/);
  });

  test('streaming yields real chunks and ends with usage', async () => {
    const stream = await p.openai().chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Write two sentences about the sea.' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      if (chunk.choices[0]?.delta.content) text += chunk.choices[0].delta.content;
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(finish).toBe('stop');
    expect(usage!.completion_tokens).toBeGreaterThan(0);
  });

  test('a routed ("auto") stream names the routed model in every chunk, as the stored job does — also when replayed from the cache', async () => {
    const ask = async () => {
      const { data: stream, response } = await p
        .openai()
        .chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'What colour is a ripe banana?' }], stream: true })
        .withResponse();
      const models = new Set<string>();
      for await (const chunk of stream) models.add(chunk.model);
      const job = await (await p.http(`/v1/jobs/${response.headers.get('x-parsimony-job-id')}`)).json();
      return { models: [...models], job };
    };
    const first = await ask();
    expect(first.job.route.model).toBeTruthy();
    expect(first.models).toEqual([first.job.route.model]);
    // The same question again is answered from the cache and replayed as a stream.
    let again = await ask();
    for (let i = 0; i < 20 && again.job.delivered_by !== 'cache'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      again = await ask();
    }
    expect(again.job.delivered_by).toBe('cache');
    expect(again.models).toEqual([first.job.route.model]);
  });

  test('tool calls round-trip, streamed and not', async () => {
    const client = p.openai();
    const first = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [weatherTool] });
    const call = first.choices[0].message.tool_calls![0];
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call.type).toBe('function');
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toHaveProperty('city');

    const stream = client.chat.completions.stream({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [weatherTool] });
    const final = await stream.finalChatCompletion();
    const streamedCall = final.choices[0].message.tool_calls![0];
    if (streamedCall.type !== 'function') throw new Error('expected a function call');
    expect(streamedCall.function.name).toBe('get_weather');
    expect(JSON.parse(streamedCall.function.arguments)).toHaveProperty('city');

    const second = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Weather in Paris?' }, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"temp_c": 18}' }],
      tools: [weatherTool],
    });
    expect(second.choices[0].finish_reason).toBe('stop');
    expect(second.choices[0].message.content).toBeTruthy();
  });

  test('Anthropic models answer through the same OpenAI-compatible endpoint', async () => {
    const res = await p.openai().chat.completions.create({
      model: 'claude-haiku-4-5',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hi.' },
      ],
    });
    expect(res.model).toBe('claude-haiku-4-5');
    expect(res.choices[0].message.content).toBeTruthy();
    const stream = await p.openai().chat.completions.create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Say hi.' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
  });

  test('bad input is a 400 in the one error shape', async () => {
    await expect(p.openai().chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 400,
      error: { type: 'invalid_request_error' },
    });
    await expect(p.openai().chat.completions.create({ model: 'gpt-4.1-mini', messages: [] })).rejects.toMatchObject({ status: 400 });
    const res = await p.http('/v1/chat/completions', { method: 'POST', json: chatBody('hi', { temprature: 0.2 }) });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/temprature/);
  });

  test('authentication: missing and unknown keys are 401', async () => {
    expect((await p.http('/v1/chat/completions', { method: 'POST', json: chatBody('hi'), tenant: null })).status).toBe(401);
    const unknown = new OpenAI({ apiKey: 'nope', baseURL: `${p.url}/v1`, maxRetries: 0 });
    await expect(unknown.chat.completions.create(chatBody('hi') as never)).rejects.toMatchObject({ status: 401 });
  });
});
