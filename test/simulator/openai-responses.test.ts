import type OpenAI from 'openai';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, stepCountIs, tool } from 'ai';
import { z } from 'zod';
import type { Simulator } from '../../infra/simulator/server';
import { openaiClient, startTestSimulator } from './helpers';

/** The simulator's /v1/responses, judged by the official clients talking to it directly. */
let sim: Simulator | undefined;
let client: OpenAI;
beforeAll(async () => {
  sim = await startTestSimulator();
  client = openaiClient(sim);
}, 120_000);
afterAll(async () => {
  await sim?.close();
});

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

test('plain, stored: create, retrieve, input_items, delete', async () => {
  const r = await client.responses.create({ model: 'gpt-4.1-mini', instructions: 'Be brief.', input: 'Name a lake.' });
  expect(r).toMatchObject({ object: 'response', status: 'completed', instructions: 'Be brief.' });
  expect(r.output_text.length).toBeGreaterThan(0);
  expect(r.usage!.output_tokens_details.reasoning_tokens).toBe(0);
  expect((await client.responses.retrieve(r.id)).output_text).toBe(r.output_text);
  const items = await client.responses.inputItems.list(r.id);
  expect(items.data).toHaveLength(1);
  expect(items.data[0]).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Name a lake.' }] });
  await client.responses.delete(r.id);
  await expect(client.responses.retrieve(r.id)).rejects.toMatchObject({ status: 404 });
});

test('function call, continued with previous_response_id', async () => {
  const first = await client.responses.create({ model: 'gpt-4.1-mini', input: 'Weather in Bergen?', tools: [weatherTool], tool_choice: 'required' });
  const call = first.output.find((o) => o.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
  expect(call.call_id).toMatch(/^call_/);
  const second = await client.responses.create({ model: 'gpt-4.1-mini', previous_response_id: first.id, input: [{ type: 'function_call_output', call_id: call.call_id, output: '7 C' }] });
  expect(second.output_text).toMatch(/tool result/);
  await expect(client.responses.create({ model: 'gpt-4.1-mini', previous_response_id: 'resp_nope', input: 'x' })).rejects.toMatchObject({ status: 400 });
});

test('reasoning models: reasoning item (summary, encrypted content when included) and reasoning tokens', async () => {
  const r = await client.responses.create({ model: 'gpt-5', input: 'Plan a trip.', reasoning: { effort: 'high', summary: 'auto' }, include: ['reasoning.encrypted_content'], store: false });
  const reasoning = r.output[0] as OpenAI.Responses.ResponseReasoningItem;
  expect(reasoning.type).toBe('reasoning');
  expect(reasoning.summary[0].text.length).toBeGreaterThan(0);
  expect(reasoning.encrypted_content).toBeTruthy();
  expect(r.usage!.output_tokens_details.reasoning_tokens).toBeGreaterThan(600);
  expect(r.usage!.output_tokens).toBeGreaterThan(r.usage!.output_tokens_details.reasoning_tokens);
  await expect(client.responses.retrieve(r.id)).rejects.toMatchObject({ status: 404 });
});

test('streamed: the event sequence and the final response', async () => {
  const stream = client.responses.stream({ model: 'gpt-5', input: 'Describe rain.', reasoning: { summary: 'detailed' } });
  const types: string[] = [];
  for await (const e of stream) types.push(e.type);
  const final = await stream.finalResponse();
  expect(types[0]).toBe('response.created');
  expect(types).toContain('response.reasoning_summary_text.delta');
  expect(types).toContain('response.output_text.delta');
  expect(types[types.length - 1]).toBe('response.completed');
  expect(final.output_text.length).toBeGreaterThan(0);
});

test('unknown parameters are refused like the real API', async () => {
  await expect(client.responses.create({ model: 'gpt-4.1-mini', input: 'x', nope: 1 } as never)).rejects.toMatchObject({ status: 400 });
});

test('the Vercel AI SDK default provider runs a tool loop against it unmodified', async () => {
  const openai = createOpenAI({ baseURL: `${sim!.url}/v1`, apiKey: 'sk-test' });
  const result = await generateText({
    model: openai('gpt-5-mini'),
    tools: { weather: tool({ description: 'Weather for a city', inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => `${city}: 9 C` }) },
    stopWhen: stepCountIs(4),
    prompt: 'What is the weather in Turku?',
  });
  expect(result.steps.length).toBeGreaterThanOrEqual(2);
  expect(result.text).toMatch(/tool result/);
  expect(result.usage.reasoningTokens).toBeGreaterThan(0);
});
