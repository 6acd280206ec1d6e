import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions/completions';
import { startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';

/**
 * Chat completions takes the whole current request (issue 13 item 6),
 * through the official openai SDK against Parsimony (real HTTP, real Redis,
 * the simulator as OpenAI). The simulator rejects what the real API rejects
 * (reasoning_effort on a model that does not reason, an effort a model does
 * not offer), so a 200 here also shows what the adapter sent.
 */
let p: TestParsimony | undefined;
beforeAll(async () => {
  p = await startTestParsimony('surfaces-chat-current-fields', { PARSIMONY_SHADOW_SHARE: '0' });
}, 120_000);
afterAll(async () => {
  await p?.close();
});
const app = () => p!;
const ask = (text: string, extra: Partial<ChatCompletionCreateParamsNonStreaming> = {}): ChatCompletionCreateParamsNonStreaming => ({
  model: 'gpt-5.6-terra',
  messages: [{ role: 'user', content: text }],
  ...extra,
});

test('the Agents SDK fields are honoured: reasoning_effort, verbosity, service_tier and the OpenAI-only fields', async () => {
  const client = app().openai();
  const { data, response } = await client.chat.completions
    .create(
      ask('Explain why the sky is blue, briefly.', {
        reasoning_effort: 'high',
        verbosity: 'low',
        service_tier: 'default',
        prediction: { type: 'content', content: 'The sky is blue because' },
        safety_identifier: 'user-hash-1',
        prompt_cache_retention: '24h',
        prompt_cache_key: 'agent-a',
        logit_bias: { '50256': -100 },
        store: false,
        metadata: { run: 'agents-sdk' },
        parallel_tool_calls: true,
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
        tool_choice: 'none',
      }),
    )
    .withResponse();
  expect(data.choices[0].message.content).toBeTruthy();
  const reasoning = data.usage!.completion_tokens_details!.reasoning_tokens!;
  expect(reasoning).toBeGreaterThan(0);
  expect(data.usage!.completion_tokens).toBeGreaterThan(reasoning);
  expect(data.service_tier).toBe('default');
  const job = await waitForJob(app(), response.headers.get('x-parsimony-job-id')!);
  expect(job.usage.reasoning_tokens).toBe(reasoning);
  // Reasoning tokens are output tokens: the job is priced on all of them.
  expect(job.usage.output_tokens).toBe(data.usage!.completion_tokens);
});

test('reasoning effort reaches the model: more effort, more reasoning tokens; an effort it lacks maps to the nearest', async () => {
  const client = app().openai();
  const tokens = async (effort: OpenAI.ReasoningEffort) =>
    (await client.chat.completions.create(ask('Plan a three-step migration of a database.', { reasoning_effort: effort, parsimony: { cache: { mode: 'off' } } } as never))).usage!
      .completion_tokens_details!.reasoning_tokens!;
  const low = await tokens('low');
  const high = await tokens('high');
  expect(high).toBeGreaterThan(low);
  expect(await tokens('none')).toBe(0);
  // gpt-5.6 models offer no 'minimal' (the simulator refuses it like OpenAI): sent as the nearest offered effort.
  expect(await tokens('minimal')).toBeGreaterThan(0);
  // A model that does not reason never receives reasoning_effort or verbosity (OpenAI would reject them).
  const plain = await client.chat.completions.create({ ...ask('Say hi.'), model: 'gpt-4.1-mini', reasoning_effort: 'high', verbosity: 'high' });
  expect(plain.usage!.completion_tokens_details!.reasoning_tokens).toBe(0);
});

test('n = 2 returns two choices, priced as such', async () => {
  const client = app().openai();
  const { data, response } = await client.chat.completions.create(ask('Name a colour.', { n: 2, model: 'gpt-4.1-mini' })).withResponse();
  expect(data.choices.map((c) => c.index)).toEqual([0, 1]);
  for (const c of data.choices) expect(c.message.content).toBeTruthy();
  expect(data.choices[0].message.content).not.toBe(data.choices[1].message.content);
  const job = await waitForJob(app(), response.headers.get('x-parsimony-job-id')!);
  expect(job.response.choices).toHaveLength(2);
  // The provider bills every choice's tokens: the job's usage is the whole of them.
  expect(job.usage.output_tokens).toBe(data.usage!.completion_tokens);
  const one = await client.chat.completions.create(ask('Name a colour.', { model: 'gpt-4.1-mini', parsimony: { cache: { mode: 'off' } } } as never));
  expect(data.usage!.completion_tokens).toBeGreaterThan(one.usage!.completion_tokens);
  // An answer stored for n = 2 never serves n = 1, nor the other way round.
  const again = await client.chat.completions.create(ask('Name a colour.', { model: 'gpt-4.1-mini' })).withResponse();
  expect(again.data.choices).toHaveLength(1);
  const twoAgain = await client.chat.completions.create(ask('Name a colour.', { n: 2, model: 'gpt-4.1-mini' })).withResponse();
  expect(twoAgain.data.choices).toHaveLength(2);
});

test('logprobs are passed through, and the cache never serves an answer without the logprobs asked for', async () => {
  const client = app().openai();
  const question = ask('What is the capital of France?', { model: 'gpt-4.1-mini' });
  const plain = await client.chat.completions.create(question).withResponse();
  expect(plain.data.choices[0].logprobs).toBeNull();
  // The answer is stored in the background: ask until the plain request is a hit.
  let cache: string | null = null;
  for (const until = Date.now() + 10_000; cache !== 'hit' && Date.now() < until;) cache = (await client.chat.completions.create(question).withResponse()).response.headers.get('x-parsimony-cache');
  expect(cache).toBe('hit');

  const withLogprobs = await client.chat.completions.create({ ...question, logprobs: true, top_logprobs: 2 }).withResponse();
  expect(withLogprobs.response.headers.get('x-parsimony-cache')).not.toBe('hit');
  const content = withLogprobs.data.choices[0].logprobs!.content!;
  expect(content.length).toBeGreaterThan(0);
  expect(content.map((t) => t.token).join('')).toBe(withLogprobs.data.choices[0].message.content);
  for (const t of content) {
    expect(t.logprob).toBeLessThanOrEqual(0);
    expect(t.top_logprobs).toHaveLength(2);
  }
  // Asked again with logprobs: whether stored or fresh, the logprobs are there.
  const again = await client.chat.completions.create({ ...question, logprobs: true, top_logprobs: 2 });
  expect(again.choices[0].logprobs!.content!.length).toBeGreaterThan(0);

  // Streamed: the chunks together carry the logprobs of every token (Parsimony sends them with the finish chunk).
  const stream = await client.chat.completions.create({ ...ask('Tell me a fact about owls.', { model: 'gpt-4.1-mini' }), logprobs: true, stream: true });
  let text = '';
  let tokens = '';
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    tokens += (chunk.choices[0]?.logprobs?.content ?? []).map((t) => t.token).join('');
  }
  expect(text.length).toBeGreaterThan(0);
  expect(tokens).toBe(text);
});

test('deprecated functions / function_call are translated to tools, and answered in their own shape', async () => {
  const client = app().openai();
  const legacy = {
    model: 'gpt-4.1-mini',
    messages: [{ role: 'user' as const, content: 'What is the weather in Paris?' }],
    functions: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
    function_call: { name: 'get_weather' },
  };
  const { data: res, response } = await client.chat.completions.create(legacy).withResponse();
  // A caller of the old API gets the old answer: message.function_call, no tool_calls.
  expect(res.choices[0].message.function_call?.name).toBe('get_weather');
  expect(JSON.parse(res.choices[0].message.function_call!.arguments)).toHaveProperty('city');
  expect(res.choices[0].message.tool_calls).toBeUndefined();
  const job = await waitForJob(app(), response.headers.get('x-parsimony-job-id')!);
  expect(job.response.choices[0].message.function_call.name).toBe('get_weather');
  // Streamed the same way: function_call deltas that add up to the arguments.
  let name = '';
  let args = '';
  for await (const chunk of await client.chat.completions.create({ ...legacy, stream: true })) {
    const d = chunk.choices[0]?.delta;
    expect(d?.tool_calls).toBeUndefined();
    name += d?.function_call?.name ?? '';
    args += d?.function_call?.arguments ?? '';
  }
  expect(name).toBe('get_weather');
  expect(JSON.parse(args)).toHaveProperty('city');
  // The old conversation shape (assistant function_call, then a function message) is accepted too.
  const next = await client.chat.completions.create({
    model: 'gpt-4.1-mini',
    messages: [
      { role: 'user', content: 'What is the weather in Paris?' },
      { role: 'assistant', content: null, function_call: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { role: 'function', name: 'get_weather', content: '{"temp_c": 21}' },
    ],
    functions: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
  });
  expect(next.choices[0].message.content).toBeTruthy();
});

test('what Parsimony cannot serve is a 400 naming the field and saying why; the envelope stays strict', async () => {
  const client = app().openai();
  const refused = async (extra: Record<string, unknown>, field: string) => {
    const err = await client.chat.completions.create({ ...ask('Hello'), ...extra } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const message = (err as InstanceType<typeof OpenAI.BadRequestError>).message;
    expect(message).toContain(field);
    return message;
  };
  expect(await refused({ audio: { voice: 'alloy', format: 'mp3' }, modalities: ['text', 'audio'] }, 'audio')).toMatch(/not supported by Parsimony/);
  expect(await refused({ modalities: ['audio'] }, 'modalities')).toMatch(/not supported by Parsimony/);
  expect(await refused({ web_search_options: { search_context_size: 'low' } }, 'web_search_options')).toMatch(/not supported by Parsimony/);
  expect(await refused({ n: 2, stream: true }, 'n')).toMatch(/cannot be streamed/);
  expect(await refused({ top_logprobs: 3 }, 'top_logprobs')).toMatch(/logprobs: true/);
  expect(await refused({ not_a_field: 1 }, 'not_a_field')).toBeTruthy();
  // Models that cannot serve n or logprobs are refused when named, and skipped by auto routing.
  expect(await refused({ model: 'claude-haiku-5-5', n: 2 }, 'n must be 1')).toMatch(/claude-haiku-5-5/);
  expect(await refused({ model: 'gpt-5.6-terra', logprobs: true }, 'logprobs')).toMatch(/gpt-5\.6-terra/);
  const routed = await client.chat.completions.create({ ...ask('Tag this: "refund please"'), model: 'auto', logprobs: true }).withResponse();
  expect(routed.data.choices[0].logprobs!.content!.length).toBeGreaterThan(0);
  const job = await waitForJob(app(), routed.response.headers.get('x-parsimony-job-id')!);
  expect(job.route.model).toMatch(/^gpt-4/);
  // modalities: ["text"] is what Parsimony serves.
  expect((await client.chat.completions.create({ ...ask('Hi'), modalities: ['text'] })).choices[0].message.content).toBeTruthy();
});
