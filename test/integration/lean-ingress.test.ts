import { request } from 'node:http';
import { chatBody, KEYS, startTestParsimony, type TestParsimony } from '../helpers/parsimony';
import { parsePrometheus, total } from '../ops/prom-text';

/**
 * The hot routes (POST /v1/chat/completions, /v1/responses, /v1/messages,
 * /v1/jobs) are served by the lean ingress (services/producer/http/lean-ingress.ts),
 * not express. Every refusal there must answer what express answered: the
 * same status, the same bytes in the route's one error shape (Anthropic's on
 * /v1/messages), the same limits. Express still serves these routes for the
 * requests the lean ingress leaves to it — a trailing slash is one — so each
 * case is sent both ways and the two answers compared.
 */
const LIMIT_BYTES = 8 * 1024;
let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('lean-ingress', { PARSIMONY_BODY_LIMIT: '8kb', PARSIMONY_CACHE: 'off', LOG_LEVEL: 'warn' });
}, 120_000);
afterAll(async () => {
  await p?.close();
});

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One POST over node:http, so the test controls Content-Length vs chunked and the exact bytes. */
function post(path: string, body: string, options: { headers?: Record<string, string>; chunked?: boolean; key?: string | null; contentType?: string | null } = {}): Promise<RawAnswer> {
  const { headers = {}, chunked = false, key = KEYS.acme, contentType = 'application/json' } = options;
  const url = new URL(path, p.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          ...(contentType === null ? {} : { 'content-type': contentType }),
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(chunked ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (chunked) {
      // Several writes without a Content-Length: Transfer-Encoding: chunked, the limit is found while reading.
      for (let i = 0; i < body.length; i += 1024) req.write(body.slice(i, i + 1024));
      req.end();
    } else req.end(body);
  });
}

const ROUTES = [
  { path: '/v1/chat/completions', anthropic: false },
  { path: '/v1/responses', anthropic: false },
  { path: '/v1/messages', anthropic: true },
  { path: '/v1/jobs', anthropic: false },
] as const;

/** A body of the route's own kind, padded to `size` bytes with a long prompt. */
function paddedBody(path: string, size: number): string {
  const text = 'x'.repeat(size);
  if (path === '/v1/responses') return JSON.stringify({ model: 'auto', input: text });
  if (path === '/v1/messages') return JSON.stringify({ model: 'auto', max_tokens: 16, messages: [{ role: 'user', content: text }] });
  if (path === '/v1/jobs') return JSON.stringify({ request: chatBody(text) });
  return JSON.stringify(chatBody(text));
}

function nested(depth: number): string {
  return `{"model":"auto","metadata":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
}

const CASES: { name: string; body: (path: string) => string; status: number; type: string; message: RegExp; chunked?: boolean; key?: null }[] = [
  { name: 'an over-limit body (Content-Length)', body: (path) => paddedBody(path, LIMIT_BYTES + 10), status: 413, type: 'request_too_large', message: /larger than this server accepts/ },
  { name: 'an over-limit body (chunked)', body: (path) => paddedBody(path, LIMIT_BYTES + 10), status: 413, type: 'request_too_large', message: /larger than this server accepts/, chunked: true },
  { name: 'malformed JSON', body: () => '{"model": ', status: 400, type: 'invalid_request_error', message: /not valid JSON/ },
  { name: 'a JSON string as the whole body', body: () => '"hello"', status: 400, type: 'invalid_request_error', message: /not valid JSON/ },
  { name: 'a body nested deeper than 64 levels', body: () => nested(80), status: 400, type: 'invalid_request_error', message: /nested deeper than 64/ },
  { name: 'an empty body', body: () => '', status: 400, type: 'invalid_request_error', message: /./ },
  { name: 'no API key', body: (path) => paddedBody(path, 10), status: 401, type: 'authentication_error', message: /API key/, key: null },
];

describe.each(ROUTES)('POST $path', ({ path, anthropic }) => {
  test.each(CASES)('$name: one error shape, the same answer as express', async ({ body, status, type, message, chunked, key }) => {
    const lean = await post(path, body(path), { chunked, key });
    const viaExpress = await post(`${path}/`, body(path), { chunked, key });
    expect(lean.status).toBe(status);
    const parsed = JSON.parse(lean.text) as { type?: string; error: { type: string; message: string } };
    if (anthropic) expect(parsed.type).toBe('error');
    else expect(Object.keys(parsed)).toEqual(['error']);
    expect(parsed.error.type).toBe(type);
    expect(parsed.error.message).toMatch(message);
    expect(lean.headers['content-type']).toBe('application/json; charset=utf-8');
    expect({ status: viaExpress.status, text: viaExpress.text, type: viaExpress.headers['content-type'] }).toEqual({ status: lean.status, text: lean.text, type: lean.headers['content-type'] });
  });

  test('a body just under the limit is read (refused, if at all, by the route, not the reader)', async () => {
    const body = paddedBody(path, LIMIT_BYTES - 200);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(LIMIT_BYTES);
    const lean = await post(path, body);
    expect(lean.status).not.toBe(413);
    expect(lean.text).not.toMatch(/not valid JSON/);
  });
});

test('bodies express.json accepts, the lean reader accepts: a UTF-8 BOM, charset=UTF-8, no Content-Type', async () => {
  const body = JSON.stringify(chatBody('Say hello.'));
  for (const [name, text, contentType] of [
    ['BOM', `\uFEFF${body}`, 'application/json'],
    ['charset', body, 'application/json; charset=UTF-8'],
    ['no content-type', body, null],
  ] as const) {
    const lean = await post('/v1/chat/completions', text, { contentType });
    const viaExpress = await post('/v1/chat/completions/', text, { contentType });
    expect({ name, lean: lean.status, express: viaExpress.status }).toEqual({ name, lean: 200, express: 200 });
  }
});

test('an Anthropic client (anthropic-version) gets the Anthropic error shape on every hot route', async () => {
  for (const { path } of ROUTES) {
    const res = await post(path, '{"model": ', { headers: { 'anthropic-version': '2023-06-01' } });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'request body is not valid JSON' } });
  }
});

test('an Anthropic key in x-api-key authenticates the lean path as it does express', async () => {
  const res = await post('/v1/messages', JSON.stringify({ model: 'gpt-4.1-mini', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }), {
    key: null,
    headers: { 'x-api-key': KEYS.acme, 'anthropic-version': '2023-06-01' },
  });
  expect(res.status).toBe(200);
  expect(res.headers['x-parsimony-job-id']).toEqual(expect.any(String));
  const unknown = await post('/v1/messages', '{}', { key: null, headers: { 'x-api-key': 'k-nobody' } });
  expect(unknown.status).toBe(401);
  expect(JSON.parse(unknown.text)).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'Unknown API key.' } });
});

test('answers carry the same headers on both paths: x-parsimony-job-id and JSON content type', async () => {
  for (const via of ['', '/']) {
    const chat = await post(`/v1/chat/completions${via}`, JSON.stringify(chatBody('Say hello.')));
    expect(chat.status).toBe(200);
    expect(chat.headers['x-parsimony-job-id']).toMatch(/\S/);
    expect(chat.headers['x-parsimony-model']).toBe('gpt-4.1-mini');
    expect(chat.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(chat.headers['content-length'])).toBe(Buffer.byteLength(chat.text));
    const job = await post(`/v1/jobs${via}`, JSON.stringify({ request: chatBody('Summarise this.') }));
    expect(job.status).toBe(202);
    expect(job.headers['x-parsimony-job-id']).toBe((JSON.parse(job.text) as { id: string }).id);
  }
});

test('request metrics label lean-path requests like express: the route once routed, pre_route when refused before it', async () => {
  const before = parsePrometheus(await (await fetch(`${p.url}/metrics`)).text());
  const count = (samples: ReturnType<typeof parsePrometheus>, route: string, status: string) => total(samples, 'parsimony_http_request_duration_seconds_count', { method: 'POST', route, status });
  await post('/v1/responses', '{"model": ');
  await post('/v1/responses', JSON.stringify({ model: 'auto' }));
  const after = parsePrometheus(await (await fetch(`${p.url}/metrics`)).text());
  expect(count(after, 'pre_route', '400') - count(before, 'pre_route', '400')).toBe(1);
  expect(count(after, '/v1/responses', '400') - count(before, '/v1/responses', '400')).toBe(1);
});
