import type { Simulator } from '../../infra/simulator/server';
import { anthropicClient, openaiClient, startTestSimulator } from '../simulator/helpers';

/**
 * The simulator's `content` / `tool_call` fault rules: a matching request is
 * answered normally, with the given answer instead of the simulated one (the
 * simulator otherwise always produces schema-valid JSON and tool arguments).
 */
let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator();
}, 120_000);
afterAll(() => sim.close());
afterEach(() => sim.faults.clear());

const schema = { type: 'object', properties: { label: { type: 'string', enum: ['positive', 'negative'] } }, required: ['label'], additionalProperties: false };

test('content replaces the answer of the matching model only, once; streaming too', async () => {
  const client = openaiClient(sim);
  sim.faults.add({ match: { model: 'gpt-4.1-nano' }, content: 'not json at all' });
  const ask = (model: string) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Label: great phone' }], response_format: { type: 'json_schema', json_schema: { name: 'label', schema } } });
  // Another model is untouched, and the rule is still pending for its model.
  const mid = await ask('gpt-4.1-mini');
  expect(JSON.parse(mid.choices[0].message.content!)).toHaveProperty('label');
  const small = await ask('gpt-4.1-nano');
  expect(small.choices[0].message.content).toBe('not json at all');
  expect(small.choices[0].finish_reason).toBe('stop');
  expect(small.usage!.completion_tokens).toBeGreaterThan(0);
  // times defaults to 1.
  expect(JSON.parse((await ask('gpt-4.1-nano')).choices[0].message.content!)).toHaveProperty('label');

  sim.faults.add({ match: { model: 'gpt-4.1-nano' }, content: 'streamed override' });
  const stream = await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text).toBe('streamed override');
});

test('tool_call replaces the answer with that call, arguments as given (OpenAI) or an object (Anthropic)', async () => {
  const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
  sim.faults.add({ match: { path: '/v1/chat/completions' }, tool_call: { name: 'launch_rockets', arguments: '{"city": ' } });
  const res = await openaiClient(sim).chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
  const call = res.choices[0].message.tool_calls![0] as { function: { name: string; arguments: string } };
  expect(call.function).toEqual({ name: 'launch_rockets', arguments: '{"city": ' });
  expect(res.choices[0].finish_reason).toBe('tool_calls');

  sim.faults.add({ match: { path: '/v1/messages' }, tool_call: { name: 'get_weather', arguments: '{"city": 42}' } });
  const msg = await anthropicClient(sim).messages.create({
    model: 'claude-haiku-4-5',
    max_tokens: 100,
    messages: [{ role: 'user', content: 'Weather in Paris?' }],
    tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
  });
  expect(msg.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 42 } });
  expect(msg.stop_reason).toBe('tool_use');
});

test('a rule with nothing to do is refused', () => {
  expect(() => sim.faults.add({ match: { model: 'x' } })).toThrow(/content or tool_call/);
});
