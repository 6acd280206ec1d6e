import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { fuzzRequest } from '../../scripts/reliability/fuzz/requests';
import { ResourcePool, send, shapeProblem } from '../../scripts/reliability/fuzz/send';
import { deepJson } from '../../scripts/reliability/fuzz/payloads';
import { chatBody, KEYS, startTestParsimony, type TestParsimony } from '../helpers/parsimony';

/**
 * What `npm run fuzz` found, pinned down: each of these answered 500 (or an
 * empty body) before its fix. Plus a short property run of the fuzzer's own
 * generator, so npm test keeps the properties in view.
 */
let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('fuzz-regressions', { PARSIMONY_CACHE: 'off', LOG_LEVEL: 'warn' });
}, 120_000);
afterAll(async () => {
  await p?.close();
});

async function expectClientError(res: Response, status = 400) {
  expect(res.status).toBe(status);
  expect(shapeProblem(await res.text())).toBeUndefined();
}

test('a malformed percent-encoding in an id is a 400, not a 500 (router URIError)', async () => {
  for (const path of ['/v1/jobs/%', '/v1/files/%ZZ/content', '/v1/batches/%E0%A4%A', '/v1/cache/entries/%C0%AE%C0%AE%2F', '/v1/webhook-deliveries/%/redeliver']) {
    const method = path.endsWith('redeliver') ? 'POST' : path.startsWith('/v1/cache') ? 'DELETE' : 'GET';
    await expectClientError(await p.http(path, { method }));
  }
});

test('a body that does not decompress is a 400, not a 500 (zlib errors from body-parser)', async () => {
  for (const encoding of ['gzip', 'deflate', 'br']) {
    await expectClientError(await p.http('/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: '{"not":"compressed"}' }));
    // An empty compressed body on a route that takes none.
    await expectClientError(await p.http('/v1/batches/batch_x/cancel', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': encoding, 'content-length': '0' } }), 400);
  }
  // A body that does decompress still works.
  const ok = await p.http('/v1/jobs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: gzipSync(JSON.stringify({ request: chatBody('gzipped') })),
  });
  expect(ok.status).toBe(202);
});

test('a deeply nested body is a 400, not a stack overflow (500)', async () => {
  const deep = deepJson(20_000, 'object');
  await expectClientError(
    await p.http('/v1/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"request":{"model":"auto","messages":[{"role":"user","content":"x"}]},"metadata":{"a":${deep}}}`,
    }),
  );
  await expectClientError(
    await p.http('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"model":"auto","messages":[{"role":"user","content":${deepJson(20_000, 'array')}}]}`,
    }),
  );
  // Ordinary nesting (a JSON schema a few levels deep) is fine.
  const schema = { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'array', items: { type: 'object', properties: { c: { type: 'string' } } } } } } } };
  const ok = await p.http('/v1/chat/completions', { method: 'POST', json: chatBody('nested schema', { response_format: { type: 'json_schema', json_schema: { name: 'x', schema } } }) });
  expect(ok.status).toBe(200);
});

function raw(bytes: string): Promise<string> {
  const { hostname, port } = new URL(p.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', () => undefined);
    socket.write(Buffer.from(bytes, 'latin1'));
  });
}

test("requests Node's HTTP parser rejects are answered in the error shape, not with an empty body", async () => {
  const cases: [string, number][] = [
    ['GET /v1/jobs/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\rX-Injected: 1\r\n\r\n', 400],
    ['POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello', 400],
    ['GET /v1/jobs/a b HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    [`GET /v1/jobs/x HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  ];
  for (const [request, status] of cases) {
    const answer = await raw(request);
    expect(answer.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    expect(answer).toMatch(/content-type: application\/json/i);
    expect(shapeProblem(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toBeUndefined();
    expect(answer.toLowerCase()).not.toContain('x-injected');
  }
});

test('property: generated hostile requests never get a 5xx, and every error has the shape', async () => {
  const pool = new ResourcePool();
  const target = { url: p.url, keys: KEYS, adminKey: 'unused-admin-key-0123456789' };
  await fc.assert(
    fc.asyncProperty(fuzzRequest, async (req) => {
      const verdict = await send(req, target, pool, 10_000);
      expect(verdict.transport).toBeUndefined();
      expect([verdict.status, verdict.badShape]).toEqual([verdict.status, undefined]);
      expect(verdict.status).toBeLessThan(500);
      expect(verdict.crossTenant).toBeUndefined();
    }),
    { numRuns: 300, seed: 42 },
  );
}, 60_000);
