import { createServer } from 'node:net';
import { startSimulator, type Simulator } from '../../infra/simulator/server';
import { Catalog, type ModelEntry } from '../../shared/core/catalog/catalog';
import { ProviderError } from '../../shared/core/errors/provider-error';
import { createLogger } from '../../shared/platform/logging/logger';
import type { ChatRequest, ChatResponse, StreamEvent } from '../../shared/core/chat-model';
import type { CallOptions, ProviderAdapter, ProviderConnection, ProviderDefinition } from '../../shared/providers/provider-adapter';
import { anthropicProvider } from '../../shared/providers/anthropic';
import { openAIProvider } from '../../shared/providers/openai';

/**
 * Both adapters against the provider simulator over real HTTP, through the
 * official SDKs. The same scenarios run for each provider: what differs is
 * only the base URL shape and the model.
 */

const log = createLogger({ service: 'test', level: 'silent' });
const catalog = Catalog.load();

interface Case {
  definition: ProviderDefinition;
  baseURL: (simUrl: string) => string;
  model: ModelEntry;
  /** Simulator route the provider's chat call hits. */
  path: string;
}

const CASES: Case[] = [
  { definition: openAIProvider, baseURL: (url) => `${url}/v1`, model: catalog.get('gpt-4.1-mini'), path: '/v1/chat/completions' },
  // claude-haiku-4-5: the SDK prints a console deprecation warning for the *-4-5 sonnet/opus ids.
  { definition: anthropicProvider, baseURL: (url) => url, model: catalog.get('claude-haiku-4-5'), path: '/v1/messages' },
];

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, logger: createLogger({ service: 'simulator', level: 'silent' }) });
}, 120_000);
afterAll(async () => {
  await sim?.close();
});
afterEach(() => {
  sim.faults.clear();
});

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

function ask(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'ignored', system: [{ type: 'text', text: 'You are terse.' }], messages: [{ role: 'user', content: [{ type: 'text', text }] }], sampling: { max_tokens: 200 }, ...extra };
}

async function collect(stream: AsyncIterable<StreamEvent>): Promise<{ events: StreamEvent[]; done: ChatResponse }> {
  const events: StreamEvent[] = [];
  for await (const e of stream) events.push(e);
  const last = events[events.length - 1];
  if (last?.type !== 'done') throw new Error(`stream did not end with done: ${JSON.stringify(last)}`);
  return { events, done: last.response };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(err)}`);
  return err;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each(CASES)('$definition.name adapter', ({ definition, baseURL, model, path }) => {
  let adapter: ProviderAdapter;
  const connect = (overrides: Partial<ProviderConnection> = {}) => definition.create({ apiKey: 'sk-test-provider-key', baseURL: baseURL(sim.url), ...overrides }, log);
  const requests = () => sim.stats().requests[path] ?? 0;

  beforeAll(() => {
    adapter = connect();
  });

  test('complete: a text answer with usage, in one HTTP request', async () => {
    const before = requests();
    const r = await adapter.complete(ask('Tell me about the Danube river delta'), model);
    expect(adapter.name).toBe(definition.name);
    expect(typeof r.content).toBe('string');
    expect(r.content!.length).toBeGreaterThan(0);
    expect(r.tool_calls).toEqual([]);
    expect(r.finish_reason).toBe('stop');
    expect(r.id).toBeTruthy();
    expect(r.model).toContain(model.provider_model ?? model.id);
    expect(r.usage.input_tokens).toBeGreaterThan(0);
    expect(r.usage.output_tokens).toBeGreaterThan(0);
    expect(requests() - before).toBe(1);
  });

  test('stream: text events add up to the same answer as complete, done is last and carries usage', async () => {
    const request = ask('Explain how tides work, briefly');
    const whole = await adapter.complete(request, model);
    const { events, done } = await collect(adapter.stream(request, model));
    const text = events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');
    expect(events.filter((e) => e.type === 'text').length).toBeGreaterThan(1);
    expect(text).toBe(done.content);
    expect(done.content).toBe(whole.content);
    expect(done.finish_reason).toBe('stop');
    expect(done.usage.output_tokens).toBe(whole.usage.output_tokens);
    expect(done.usage.input_tokens).toBe(whole.usage.input_tokens);
  });

  test('max_tokens cuts the answer: finish_reason length', async () => {
    const r = await adapter.complete(ask('Write a long essay about the history of maps', { sampling: { max_tokens: 3 } }), model);
    expect(r.finish_reason).toBe('length');
    expect(r.usage.output_tokens).toBeLessThanOrEqual(3);
  });

  test('complete: a forced tool call comes back with JSON arguments', async () => {
    const r = await adapter.complete(ask('What is the weather in Lisbon?', { tools: [weatherTool], tool_choice: { name: 'get_weather' } }), model);
    // OpenAI answers a *named* forced tool with finish_reason "stop" (Anthropic: tool_use); kept as the provider said.
    expect(r.finish_reason).toBe(definition.name === 'openai' ? 'stop' : 'tool_calls');
    expect(r.tool_calls).toHaveLength(1);
    expect(r.tool_calls[0].name).toBe('get_weather');
    expect(r.tool_calls[0].id).toBeTruthy();
    expect(typeof JSON.parse(r.tool_calls[0].arguments).city).toBe('string');
  });

  test('stream: tool call events reassemble into the final tool call', async () => {
    const { events, done } = await collect(adapter.stream(ask('Weather in Oslo?', { tools: [weatherTool], tool_choice: 'required' }), model));
    const starts = events.filter((e) => e.type === 'tool_call_start');
    expect(starts).toEqual([{ type: 'tool_call_start', index: 0, id: done.tool_calls[0].id, name: 'get_weather' }]);
    const args = events.flatMap((e) => (e.type === 'tool_call_args' && e.index === 0 ? [e.arguments] : [])).join('');
    expect(args).toBe(done.tool_calls[0].arguments);
    expect(typeof JSON.parse(args).city).toBe('string');
    expect(done.finish_reason).toBe('tool_calls');
  });

  test('a tool result in the conversation is answered with text', async () => {
    const first = await adapter.complete(ask('Weather in Quito?', { tools: [weatherTool], tool_choice: { name: 'get_weather' } }), model);
    const call = first.tool_calls[0];
    const followUp: ChatRequest = ask('Weather in Quito?', {
      tools: [weatherTool],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Quito?' }] },
        { role: 'assistant', content: [], tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'Sunny, 21 degrees' },
      ],
    });
    const r = await adapter.complete(followUp, model);
    expect(r.finish_reason).toBe('stop');
    expect(r.tool_calls).toEqual([]);
    expect(r.content).toMatch(/tool result/i);
  });

  test('429: retryable ProviderError with retry-after in ms, and no SDK retry', async () => {
    sim.faults.add({ status: 429, retry_after_seconds: 1, times: 1 });
    const before = requests();
    const err = await failure(adapter.complete(ask('hello'), model));
    expect(err).toMatchObject({ provider: definition.name, status: 429, retryable: true, retryAfterMs: 1000 });
    expect(err.message.length).toBeGreaterThan(0);
    expect(err.message).not.toMatch(/^429 /);
    expect(requests() - before).toBe(1);
  });

  test("400: not retryable, with the provider's own message", async () => {
    sim.faults.add({ status: 400, message: 'messages.0.content: field required (injected)', times: 1 });
    const err = await failure(adapter.complete(ask('hello'), model));
    expect(err).toMatchObject({ status: 400, retryable: false, message: 'messages.0.content: field required (injected)' });
  });

  test('500: retryable, also when the stream request fails', async () => {
    sim.faults.add({ status: 500, times: 2 });
    expect(await failure(adapter.complete(ask('hello'), model))).toMatchObject({ status: 500, retryable: true });
    expect(await failure(collect(adapter.stream(ask('hello'), model)))).toMatchObject({ status: 500, retryable: true });
  });

  test('a request the provider itself rejects (real validation, not a fault) is a 400 ProviderError', async () => {
    const err = await failure(adapter.complete(ask('hi', { sampling: { max_tokens: 10_000_000 } }), model));
    expect(err.status).toBe(400);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/max_tokens|max_completion_tokens/);
  });

  test('connection refused: status 0, retryable', async () => {
    const dead = definition.create({ apiKey: 'k', baseURL: baseURL(`http://127.0.0.1:${await closedPort()}`) }, log);
    const err = await failure(dead.complete(ask('hello'), model));
    expect(err).toMatchObject({ provider: definition.name, status: 0, retryable: true });
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(await failure(collect(dead.stream(ask('hello'), model)))).toMatchObject({ status: 0, retryable: true });
  });

  test('timeout: a hanging provider ends as a retryable status-0 timeout', async () => {
    sim.faults.add({ hang: true, times: 1 });
    const options: CallOptions = { timeoutMs: 300 };
    const err = await failure(adapter.complete(ask('hello'), model, options));
    expect(err).toMatchObject({ status: 0, retryable: true, message: 'request timed out' });
  });

  test('timeout on a stream that never starts', async () => {
    sim.faults.add({ hang: true, times: 1 });
    const err = await failure(collect(adapter.stream(ask('hello'), model, { timeoutMs: 300 })));
    expect(err).toMatchObject({ status: 0, retryable: true, message: 'request timed out' });
  });

  test('a stream that has started is not cut off by the attempt timeout', async () => {
    // Every SSE event 40 ms apart: the whole answer takes far longer than the 250 ms timeout.
    const slow = await startSimulator({ port: 0, chunkDelayMs: 40, logger: createLogger({ service: 'simulator', level: 'silent' }) });
    try {
      const slowAdapter = definition.create({ apiKey: 'k', baseURL: baseURL(slow.url), timeoutMs: 250 }, log);
      const { events, done } = await collect(slowAdapter.stream(ask('Describe a lighthouse'), model));
      expect(events.filter((e) => e.type === 'text').length).toBeGreaterThan(6);
      expect(done.finish_reason).toBe('stop');
    } finally {
      await slow.close();
    }
  });

  test('the connection timeout applies when the call sets none', async () => {
    sim.faults.add({ hang: true, times: 1 });
    const err = await failure(connect({ timeoutMs: 300 }).complete(ask('hello'), model));
    expect(err).toMatchObject({ status: 0, message: 'request timed out' });
  });

  test('abort: the caller aborting is a non-retryable 499', async () => {
    sim.faults.add({ hang: true, times: 1 });
    const controller = new AbortController();
    const pending = failure(adapter.complete(ask('hello'), model, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toMatchObject({ status: 499, retryable: false });
  });
});

describe('prompt-cache usage', () => {
  // Well over Anthropic's 4,096-token minimum for claude-haiku-4-5 and OpenAI's 1,024.
  const longPolicy = Array.from({ length: 900 }, (_, i) => `Rule ${i}: answer politely and cite section ${i}.`).join(' ');

  test('anthropic: cache write, then cache read; input_tokens counts both', async () => {
    const adapter = anthropicProvider.create({ apiKey: 'k', baseURL: sim.url }, log);
    const model = catalog.get('claude-haiku-4-5');
    const request = ask('Summarise rule 7', { system: [{ type: 'text', text: longPolicy, cache_control: { type: 'ephemeral' } }] });
    const first = await adapter.complete(request, model);
    expect(first.usage.cache_write_tokens).toBeGreaterThan(4096);
    expect(first.usage.cached_input_tokens).toBe(0);
    expect(first.usage.input_tokens).toBeGreaterThan(first.usage.cache_write_tokens);
    const { done: second } = await collect(adapter.stream({ ...request, messages: [{ role: 'user', content: [{ type: 'text', text: 'Summarise rule 8' }] }] }, model));
    expect(second.usage.cached_input_tokens).toBe(first.usage.cache_write_tokens);
    expect(second.usage.cache_write_tokens).toBe(0);
    expect(second.usage.input_tokens).toBeGreaterThan(second.usage.cached_input_tokens);
  });

  test('openai: the second identical-prefix call reports cached tokens inside input_tokens', async () => {
    const adapter = openAIProvider.create({ apiKey: 'k', baseURL: `${sim.url}/v1` }, log);
    const model = catalog.get('gpt-4.1-mini');
    const request = ask('Summarise rule 7', { system: [{ type: 'text', text: longPolicy }], prompt_cache_key: `adapters-${Date.now()}` });
    const first = await adapter.complete(request, model);
    expect(first.usage.cached_input_tokens).toBe(0);
    const { done: second } = await collect(adapter.stream(request, model));
    expect(second.usage.cached_input_tokens).toBeGreaterThanOrEqual(1024);
    expect(second.usage.input_tokens).toBe(first.usage.input_tokens);
    expect(second.usage.cache_write_tokens).toBe(0);
  });
});
