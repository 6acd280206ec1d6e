import type { ChatRequest, ChatResponse } from '../../shared/core/chat-model';
import { checkStructuredOutput, compareAnswers, expectsStructuredOutput, isShadowSampled, shadowPosition, validateJsonSchema } from '../../shared/levers/routing/guards';

/** The pure parts of the routing guards: JSON-schema subset, structured-output contract, answer comparison, sampling. */

const person = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    age: { type: 'integer' },
    role: { enum: ['admin', 'user'] },
    tags: { type: 'array', items: { type: 'string' } },
    address: { $ref: '#/$defs/address' },
    nickname: { type: ['string', 'null'] },
  },
  required: ['name', 'age'],
  additionalProperties: false,
  $defs: { address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('validateJsonSchema (type, properties, required, enum, items, additionalProperties, $ref, anyOf)', () => {
  test('a valid value has no errors', () => {
    expect(validateJsonSchema(person, { name: 'Ada', age: 36, role: 'admin', tags: ['x'], address: { city: 'London' }, nickname: null })).toEqual([]);
  });

  test.each([
    [{ age: 3 }, /missing required property "name"/],
    [{ name: 'Ada', age: 3.5 }, /\$\.age: expected integer, got number/],
    [{ name: 'Ada', age: 3, role: 'root' }, /\$\.role: must be one of/],
    [{ name: 'Ada', age: 3, tags: ['ok', 7] }, /\$\.tags\[1\]: expected string, got integer/],
    [{ name: 'Ada', age: 3, extra: true }, /property "extra" is not allowed/],
    [{ name: 'Ada', age: 3, address: {} }, /\$\.address: missing required property "city"/],
    [{ name: 'Ada', age: 3, nickname: 5 }, /expected string or null/],
    ['Ada', /\$: expected object, got string/],
  ])('%j is rejected', (value, message) => {
    const errors = validateJsonSchema(person, value);
    expect(errors.join('\n')).toMatch(message);
  });

  test('additionalProperties as a schema, anyOf, and unknown keywords pass through', () => {
    const schema = { type: 'object', additionalProperties: { type: 'number' }, properties: { id: { anyOf: [{ type: 'string' }, { type: 'integer' }] }, note: { type: 'string', pattern: '^x' } } };
    expect(validateJsonSchema(schema, { id: 3, score: 1.5, note: 'no pattern check' })).toEqual([]);
    expect(validateJsonSchema(schema, { id: true })[0]).toMatch(/none of the anyOf/);
    expect(validateJsonSchema(schema, { score: 'high' })[0]).toMatch(/\$\.score: expected number/);
  });
});

const ask = (extra: Partial<ChatRequest>): ChatRequest => ({ model: 'gpt-4.1-nano', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }], sampling: {}, ...extra });
const answer = (extra: Partial<ChatResponse>): ChatResponse => ({
  id: 'r',
  model: 'm',
  content: null,
  tool_calls: [],
  finish_reason: 'stop',
  usage: { input_tokens: 1, output_tokens: 1, cached_input_tokens: 0, cache_write_tokens: 0 },
  created: 0,
  ...extra,
});

describe('checkStructuredOutput', () => {
  const jsonSchema = ask({ response_format: { type: 'json_schema', json_schema: { name: 'person', schema: person } } });
  const tools = ask({ tools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }] });

  test('which requests are checked', () => {
    expect(expectsStructuredOutput(ask({}))).toBe(false);
    expect(expectsStructuredOutput(ask({ response_format: { type: 'text' } }))).toBe(false);
    expect(expectsStructuredOutput(jsonSchema)).toBe(true);
    expect(expectsStructuredOutput(ask({ response_format: { type: 'json_object' } }))).toBe(true);
    expect(expectsStructuredOutput(tools)).toBe(true);
  });

  test('json_schema and json_object answers', () => {
    expect(checkStructuredOutput(jsonSchema, answer({ content: '{"name":"Ada","age":36}' }))).toEqual({ ok: true });
    expect(checkStructuredOutput(jsonSchema, answer({ content: 'Sure! {"name":"Ada"}' }))).toMatchObject({ ok: false, reason: expect.stringMatching(/not valid JSON/) });
    expect(checkStructuredOutput(jsonSchema, answer({ content: '{"name":"Ada"}' }))).toMatchObject({ ok: false, reason: expect.stringMatching(/json_schema "person".*"age"/) });
    const jsonObject = ask({ response_format: { type: 'json_object' } });
    expect(checkStructuredOutput(jsonObject, answer({ content: '{"a":1}' })).ok).toBe(true);
    expect(checkStructuredOutput(jsonObject, answer({ content: '[1]' })).ok).toBe(false);
    // Cut by max_tokens: not the model's fault, not judged.
    expect(checkStructuredOutput(jsonSchema, answer({ content: '{"name":"A', finish_reason: 'length' })).ok).toBe(true);
  });

  test('tool calls: unknown tool, invalid JSON, arguments off-schema, required call', () => {
    const call = (name: string, args: string) => answer({ tool_calls: [{ id: 'c', name, arguments: args }], finish_reason: 'tool_calls' });
    expect(checkStructuredOutput(tools, call('get_weather', '{"city":"Paris"}')).ok).toBe(true);
    expect(checkStructuredOutput(tools, call('launch_rockets', '{}'))).toMatchObject({ ok: false, reason: expect.stringMatching(/not one of the request's tools/) });
    expect(checkStructuredOutput(tools, call('get_weather', '{"city":'))).toMatchObject({ ok: false, reason: expect.stringMatching(/not valid JSON/) });
    expect(checkStructuredOutput(tools, call('get_weather', '{"town":"Paris"}'))).toMatchObject({ ok: false, reason: expect.stringMatching(/missing required property "city"/) });
    expect(checkStructuredOutput(tools, answer({ content: 'It is sunny.' })).ok).toBe(true);
    expect(checkStructuredOutput({ ...tools, tool_choice: 'required' }, answer({ content: 'It is sunny.' })).ok).toBe(false);
    expect(checkStructuredOutput({ ...tools, tool_choice: { name: 'other' } }, call('get_weather', '{"city":"Paris"}')).ok).toBe(false);
  });
});

describe('compareAnswers', () => {
  const text = (content: string) => ({ content, tool_calls: [] });
  test('exact, JSON-equal, similar and different answers', () => {
    expect(compareAnswers(text(' Paris  is the capital. '), text('Paris is the capital.'))).toMatchObject({ exact: true, agree: true, similarity: 1 });
    expect(compareAnswers(text('{"a":1,"b":[2]}'), text('{ "b": [2], "a": 1 }'))).toMatchObject({ exact: false, json_equal: true, agree: true });
    const close = compareAnswers(text('The capital of France is Paris, a large city.'), text('Paris is the capital of France, a large city.'));
    expect(close.exact).toBe(false);
    expect(close.similarity).toBeGreaterThan(0.8);
    expect(close.agree).toBe(true);
    const apart = compareAnswers(text('positive'), text('negative'));
    expect(apart).toMatchObject({ exact: false, json_equal: false, similarity: 0, agree: false });
  });

  test('tool calls compare by name and parsed arguments', () => {
    const call = (name: string, args: string) => ({ content: null, tool_calls: [{ name, arguments: args }] });
    expect(compareAnswers(call('f', '{"x":1,"y":2}'), call('f', '{"y":2,"x":1}'))).toMatchObject({ exact: false, json_equal: true, agree: true });
    expect(compareAnswers(call('f', '{"x":1}'), call('g', '{"x":1}'))).toMatchObject({ json_equal: false });
    expect(compareAnswers(call('f', '{"x":1}'), text('f x 1')).json_equal).toBe(false);
  });
});

describe('deterministic shadow sampling', () => {
  test('same id, same answer; the share of a large id set matches the configured share', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `job_${i.toString(36)}x${(i * 7919).toString(36)}`);
    expect(ids.map((id) => isShadowSampled(id, 0.1))).toEqual(ids.map((id) => isShadowSampled(id, 0.1)));
    const share = ids.filter((id) => isShadowSampled(id, 0.1)).length / ids.length;
    expect(share).toBeGreaterThan(0.09);
    expect(share).toBeLessThan(0.11);
    expect(ids.some((id) => isShadowSampled(id, 0))).toBe(false);
    expect(ids.every((id) => isShadowSampled(id, 1))).toBe(true);
    // A larger share keeps every id a smaller share picked (the sample grows, never reshuffles).
    expect(ids.filter((id) => isShadowSampled(id, 0.05)).every((id) => isShadowSampled(id, 0.1))).toBe(true);
    expect(shadowPosition('job_abc')).toBe(shadowPosition('job_abc'));
  });
});
