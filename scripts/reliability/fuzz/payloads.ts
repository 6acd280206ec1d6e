import fc from 'fast-check';
import { keyPart } from '../../../shared/platform/redis/key-part';

/**
 * Hostile values for the fuzzer: wrong types, unknown fields, deep nesting,
 * huge strings, broken encodings, path traversal. Each arbitrary produces a
 * JS value or a Buffer; the request builders put them into requests.
 * Every generated string may carry lone surrogates ("\ud800"), which JSON
 * bodies can hold and which make encodeURIComponent and friends throw.
 */

/** One string unit: mostly printable ASCII, sometimes a lone high or low surrogate or a whole astral pair. */
const hostileUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.string({ minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ud83d') },
  { weight: 1, arbitrary: fc.constantFrom('\ud83d\udca9', '\u0000', '\u2028', 'é') },
);

/** fc.string whose units include lone surrogates: use it for every string field the fuzzer generates. */
export function hostileString(c: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> {
  return fc.string({ ...c, unit: hostileUnit });
}

/** Ids that are not ids: traversal, encodings, NUL, overlong, other kinds of id. */
export const hostileId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '..',
    '../..',
    '..%2F..%2Fetc%2Fpasswd',
    '%2e%2e%2f%2e%2e%2f',
    '..%5C..%5Cwindows',
    '%00',
    'job_%00',
    '%E0%A4%A',
    '%',
    '%ZZ',
    '%C0%AE%C0%AE%2F',
    'file-..%2F..%2F',
    '....//....//',
    '%252e%252e%252f',
    'job_x%0d%0aSet-Cookie:%20a=b',
    '*',
    '%2A',
    '.',
    '~root',
    'null',
    'undefined',
    '__proto__',
    'constructor',
    'batch_1;DROP',
    'file-abc?x=1',
    'a'.repeat(4096),
    '%F0%9F%92%A9',
    'job_%20',
  ),
  hostileString({ maxLength: 40 }).map((s) => keyPart(s)),
  fc.stringMatching(/^(job_|file-|batch_|whd_|pb)[A-Za-z0-9_-]{0,30}$/),
);

/** A value of any JSON type, including ones that break naive code (huge numbers, __proto__ keys). */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: hostileUnit }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, true, 0, -1, 1e308, -1e308, 2 ** 53 + 1, '', ' ', '\u0000', '\uD800', [], {}, [[]], { __proto__: { polluted: true } }, JSON.parse('{"__proto__":{"x":1}}'), {
      constructor: { prototype: { x: 1 } },
    }),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

/** A JSON text nested `depth` levels deep (arrays or objects). */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** A deeply nested value placed where the API expects something else. */
export const deepValueText: fc.Arbitrary<string> = fc.tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom('array' as const, 'object' as const)).map(([d, k]) => deepJson(d, k));

/** Bytes that are not valid UTF-8. */
export const invalidUtf8: fc.Arbitrary<Buffer> = fc.constantFrom(
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xff, 0xfe, 0xfd]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xf0, 0x28, 0x8c, 0x28]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0x00]),
);

/** Puts invalid UTF-8 somewhere inside a buffer (often inside a JSON string). */
export function corrupt(text: string, bad: Buffer, at: number): Buffer {
  const raw = Buffer.from(text);
  const i = Math.min(raw.length, Math.floor(at * raw.length));
  return Buffer.concat([raw.subarray(0, i), bad, raw.subarray(i)]);
}

/** A valid-looking chat body: the base the mutations start from. */
export function chatTemplate(text: string): Record<string, unknown> {
  return { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: text }] };
}

/** Field names the chat schema knows, to mutate one at a time. */
const CHAT_FIELDS = [
  'model',
  'messages',
  'tools',
  'tool_choice',
  'response_format',
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'seed',
  'n',
  'stream',
  'stream_options',
  'metadata',
  'parsimony',
  'user',
  'store',
  'prompt_cache_key',
];

/** Chat bodies: valid, one field of the wrong type, unknown fields, broken messages, 1 MB prompts. */
export const chatBodyArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString({ minLength: 1, maxLength: 60 }).map((t) => chatTemplate(`fuzz ${t}`)) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...CHAT_FIELDS), anyJson).map(([field, value]) => ({ ...chatTemplate('fuzz field'), [field]: value })) },
  { weight: 2, arbitrary: fc.dictionary(hostileString({ maxLength: 12 }), anyJson, { maxKeys: 4 }).map((extra) => ({ ...chatTemplate('fuzz unknown'), ...extra })) },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.oneof(anyJson, fc.record({ role: fc.constantFrom('user', 'assistant', 'system', 'tool', 'developer', 'function', ''), content: anyJson }, { requiredKeys: [] })), { maxLength: 4 })
      .map((messages) => ({ model: 'auto', messages })),
  },
  { weight: 1, arbitrary: fc.constantFrom('auto', 'gpt-4.1-mini', 'claude-haiku-4-5', 'nope', '', 'auto\u0000', '../models').map((model) => ({ ...chatTemplate('fuzz model'), model })) },
  { weight: 1, arbitrary: anyJson },
);

/** A 1 MB prompt (valid shape, the size is the attack). */
export function megabytePrompt(seed: number): Record<string, unknown> {
  const word = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'][seed % 5];
  return { model: seed % 2 ? 'auto' : 'gpt-4.1-mini', messages: [{ role: 'user', content: `${word} `.repeat((1024 * 1024) / (word.length + 1)) }] };
}

/** Callback URLs: internal, malformed, other schemes, over-long. DNS lookups fail fast offline. */
export const callbackUrl: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    'http://127.0.0.1:1/x',
    'http://10.0.0.1/',
    'http://169.254.169.254/latest',
    'http://[::1]/',
    'http://[::ffff:10.0.0.1]/',
    'http://localhost/',
    'http://0/',
    'http://2130706433/',
    'http://0x7f.1/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'http://user:pass@127.0.0.1/',
    'http://example.invalid/',
    `http://a.com/${'x'.repeat(3000)}`,
    'http://',
    '//x',
    'http://[::]/',
  ),
  anyJson,
);

/** POST /v1/jobs envelopes. */
export const jobEnvelopeArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ request: chatBodyArb, latency: fc.constantFrom('async', 'sync', 'batch') }) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom('request', 'model', 'task', 'min_tier', 'max_tier', 'cache', 'latency', 'deadline', 'callback_url', 'metadata', 'idempotency_key'),
        fc.oneof(anyJson, callbackUrl, hostileString({ maxLength: 30 }), fc.constantFrom('1h', '-1h', 'yesterday', '2020-01-01T00:00:00Z', '99999999h', 'P1D')),
      )
      .map(([field, value]) => ({ request: chatTemplate('fuzz job'), [field]: value })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      request: chatBodyArb,
      idempotency_key: hostileString({ minLength: 1, maxLength: 20 }),
      metadata: fc.record({ cache_tags: fc.array(hostileString({ minLength: 1, maxLength: 12 }), { maxLength: 3 }) }),
    }),
  },
  { weight: 1, arbitrary: fc.dictionary(hostileString({ maxLength: 12 }), anyJson, { maxKeys: 5 }) },
  { weight: 1, arbitrary: anyJson },
);

/** POST /v1/batches bodies (file ids come from `fileId`). */
export function batchBodyArb(fileId: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.record(
      {
        input_file_id: fileId,
        endpoint: fc.constantFrom('/v1/chat/completions', '/v1/embeddings', '../x', ''),
        completion_window: fc.constantFrom('24h', '1h', '30m', '0s', '-1h', '999999h', 'soon', '90s'),
        metadata: fc.option(fc.oneof(fc.record({ callback_url: callbackUrl }), anyJson)),
      },
      { requiredKeys: [] },
    ),
    anyJson,
  );
}

/** Other JSON bodies: prompts registry, cache purge, openai webhooks. */
export const promptBodyArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ original: anyJson, compressed: anyJson, original_sha256: fc.oneof(fc.stringMatching(/^[a-f0-9]{64}$/), anyJson), regression_report: anyJson }, { requiredKeys: [] }),
  anyJson,
);
export const purgeBodyArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      scope: fc.oneof(fc.stringMatching(/^[a-f0-9]{64}$/), hostileString({ maxLength: 64 }), anyJson),
      tag: fc.oneof(hostileString({ minLength: 1, maxLength: 20 }), anyJson),
      before: fc.oneof(fc.constantFrom('2020-01-01T00:00:00Z', 'not a date', '9999-99-99'), anyJson),
    },
    { requiredKeys: [] },
  ),
  anyJson,
);

/** Query strings: junk, negative/huge limits, repeated keys, prototype keys. */
export const queryArb: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?limit=-1',
    '?limit=1e309',
    '?limit=abc',
    '?limit=100000',
    '?after=..%2F',
    '?limit=1&limit=2',
    '?__proto__[x]=1',
    '?group_by=x',
    '?from=2020-13-45',
    '?from=2020-01-01&to=2029-01-01',
    '?to=1999-01-01',
    '?purpose=../../',
    '?a[b][c][d][e][f]=1',
    `?x=${'y'.repeat(8000)}`,
    '?%ZZ=1',
    '?after=%00',
  ),
  fc.dictionary(hostileString({ maxLength: 10 }), hostileString({ maxLength: 20 }), { maxKeys: 4 }).map((q) => `?${new URLSearchParams(q).toString()}`),
);
