import type OpenAI from 'openai';
import { startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';

/**
 * The structured-output cascade through the simulator: the small model's
 * answer is made invalid with a fault rule (`content` / `tool_call`), the
 * routed job is re-asked one tier up, the rejected answer's cost shows as
 * overhead and the route names the model that answered.
 */
let p: TestParsimony;
beforeAll(async () => {
  // Cache off: the same request is asked again and again, and must reach the models each time.
  p = await startTestParsimony('guards-escalation', { PARSIMONY_SHADOW_SHARE: '0', PARSIMONY_CACHE: 'off' });
}, 120_000);
afterAll(() => p.close());
afterEach(() => p.sim.faults.clear());

const schema = {
  type: 'object',
  properties: { label: { type: 'string', enum: ['positive', 'negative'] }, confidence: { type: 'number' } },
  required: ['label', 'confidence'],
  additionalProperties: false,
};
const CLASSIFY = 'Is this review positive or negative? "Great battery."';
const jsonSchemaBody = (model = 'auto', extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content: CLASSIFY }],
  response_format: { type: 'json_schema', json_schema: { name: 'sentiment', schema, strict: true } },
  parsimony: { task: 'classify' },
  ...extra,
});

async function chat(body: Record<string, unknown>) {
  const res = await p.http('/v1/chat/completions', { method: 'POST', json: body });
  expect(res.status).toBe(200);
  const completion = await res.json();
  const job = await waitForJob(p, res.headers.get('x-parsimony-job-id')!);
  return { completion, job };
}

function expectWaterfall(job: { cost: { by_lever: Record<string, number>; actual_usd: number; baseline_usd: number; overhead_usd: number } }) {
  const levers = Object.values(job.cost.by_lever).reduce((a, b) => a + b, 0);
  expect(job.cost.actual_usd).toBeCloseTo(job.cost.baseline_usd - levers + job.cost.overhead_usd, 7);
}

test('a small-model answer that is not JSON is escalated to mid; its cost is overhead and the route shows the mid model', async () => {
  // Without a fault the small model's answer passes and nothing escalates.
  const plain = await chat(jsonSchemaBody());
  expect(plain.job.route).toMatchObject({ tier: 'small', model: 'gpt-5.6-luna' });
  expect(plain.job.escalation).toBeUndefined();
  expect(plain.job.cost.overhead_usd).toBe(0);

  p.sim.faults.add({ match: { model: 'gpt-5.6-luna' }, content: 'Sure! The sentiment is positive.' });
  const before = p.sim.stats().chat_calls;
  const { completion, job } = await chat(jsonSchemaBody());
  expect(p.sim.stats().chat_calls - before).toBe(2);
  expect(JSON.parse(completion.choices[0].message.content)).toMatchObject({ label: expect.any(String), confidence: expect.any(Number) });
  expect(completion.model).toBe('gpt-5.6-terra');
  expect(job.route).toMatchObject({ tier: 'mid', model: 'gpt-5.6-terra', provider: 'openai' });
  expect(job.route.reason).toMatch(/escalated small→mid \(gpt-5\.6-luna → gpt-5\.6-terra\): the answer is not valid JSON/);
  expect(job.escalation).toMatchObject({ from: 'gpt-5.6-luna', to: 'gpt-5.6-terra', from_tier: 'small', to_tier: 'mid', resolved: true, reason: expect.stringMatching(/not valid JSON/) });
  expect(job.escalation.rejected).toHaveLength(1);
  // The rejected answer is the overhead; the job is priced on the model that answered, so routing still saves.
  expect(job.cost.overhead_usd).toBeGreaterThan(0);
  expect(job.cost.overhead_usd).toBeCloseTo(job.escalation.overhead_usd, 8);
  expect(job.cost.by_lever.routing).toBeGreaterThan(0);
  expectWaterfall(job);
});

test('an answer off the schema (JSON, wrong enum) escalates; failing twice goes up to the frontier', async () => {
  p.sim.faults.add({ match: { model: 'gpt-5.6-luna' }, content: '{"label": "meh", "confidence": 0.4}' });
  p.sim.faults.add({ match: { model: 'gpt-5.6-terra' }, content: '{"label": "positive"}' });
  const { completion, job } = await chat(jsonSchemaBody());
  expect(completion.model).toBe('gpt-5.6-sol');
  expect(job.route).toMatchObject({ tier: 'frontier', model: 'gpt-5.6-sol' });
  expect(job.escalation).toMatchObject({ from: 'gpt-5.6-luna', to: 'gpt-5.6-sol', resolved: true });
  expect(job.escalation.rejected.map((r: { model: string }) => r.model)).toEqual(['gpt-5.6-luna', 'gpt-5.6-terra']);
  expect(job.escalation.rejected[0].reason).toMatch(/\$\.label: must be one of/);
  expect(job.escalation.rejected[1].reason).toMatch(/missing required property "confidence"/);
  expect(job.cost.overhead_usd).toBeCloseTo(job.escalation.rejected[0].overhead_usd + job.escalation.rejected[1].overhead_usd, 8);
  expectWaterfall(job);
});

test('never beyond the frontier: a frontier answer that fails too is returned, marked unresolved', async () => {
  for (const model of ['gpt-5.6-luna', 'gpt-5.6-terra', 'gpt-5.6-sol']) p.sim.faults.add({ match: { model }, content: `bad answer from ${model}` });
  const before = p.sim.stats().chat_calls;
  const { completion, job } = await chat(jsonSchemaBody());
  expect(p.sim.stats().chat_calls - before).toBe(3);
  expect(completion.choices[0].message.content).toBe('bad answer from gpt-5.6-sol');
  expect(job.route.model).toBe('gpt-5.6-sol');
  expect(job.escalation).toMatchObject({ from: 'gpt-5.6-luna', to: 'gpt-5.6-sol', resolved: false });
  expect(job.escalation.rejected).toHaveLength(2);
});

test('an invalid tool call (unknown tool, arguments not JSON, off the parameters schema) escalates', async () => {
  const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
  const body = { model: 'auto', messages: [{ role: 'user', content: 'What is the weather in Paris?' }], tools, parsimony: { task: 'tool_select' } };
  for (const [call, reason] of [
    [{ name: 'launch_rockets', arguments: '{}' }, /not one of the request's tools/],
    [{ name: 'get_weather', arguments: '{"city": ' }, /not valid JSON/],
    [{ name: 'get_weather', arguments: '{"city": 75001}' }, /\$\.city: expected string/],
  ] as const) {
    p.sim.faults.add({ match: { model: 'gpt-5.6-luna' }, tool_call: call });
    const { completion, job } = await chat(body);
    expect(job.route.model).toBe('gpt-5.6-terra');
    expect(job.escalation.reason).toMatch(reason);
    const answered = completion.choices[0].message.tool_calls[0].function;
    expect(answered.name).toBe('get_weather');
    expect(typeof JSON.parse(answered.arguments).city).toBe('string');
  }
});

test('an explicit model is never escalated: its answer is returned as is', async () => {
  p.sim.faults.add({ match: { model: 'gpt-5.6-luna' }, content: 'not json' });
  const { completion, job } = await chat(jsonSchemaBody('gpt-5.6-luna'));
  expect(completion.choices[0].message.content).toBe('not json');
  expect(job.route.model).toBe('gpt-5.6-luna');
  expect(job.escalation).toBeUndefined();
  expect(job.cost.overhead_usd).toBe(0);
});

test('streaming: the small answer is buffered and checked, the client only ever sees the escalated answer', async () => {
  p.sim.faults.add({ match: { model: 'gpt-5.6-luna' }, content: 'NOT-JSON-STREAM' });
  const { data: stream, response } = await p
    .openai()
    .chat.completions.create({ ...jsonSchemaBody(), stream: true } as unknown as OpenAI.Chat.ChatCompletionCreateParamsStreaming)
    .withResponse();
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text).not.toContain('NOT-JSON-STREAM');
  expect(JSON.parse(text)).toHaveProperty('label');
  const job = await waitForJob(p, response.headers.get('x-parsimony-job-id')!);
  expect(job.route.model).toBe('gpt-5.6-terra');
  expect(job.escalation).toMatchObject({ from: 'gpt-5.6-luna', to: 'gpt-5.6-terra' });
  expect(job.response.choices[0].message.content).toBe(text);
});

test('an escalation raises the session floor to the tier that answered', async () => {
  const session = `esc-${Date.now()}`;
  p.sim.faults.add({ match: { model: 'gpt-5.6-luna' }, content: 'nope' });
  const { job } = await chat(jsonSchemaBody('auto', { metadata: { session_id: session } }));
  expect(job.route.tier).toBe('mid');
  const next = await chat({ model: 'auto', messages: [{ role: 'user', content: CLASSIFY }], parsimony: { task: 'classify' }, metadata: { session_id: session } });
  expect(next.job.route.tier).toBe('mid');
  expect(next.job.route.reason).toMatch(/session floor/);
});
