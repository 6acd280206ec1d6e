import fc from 'fast-check';
import { keyPart } from '../../../shared/platform/redis/key-part';
import { batchBodyArb, chatBodyArb, corrupt, deepValueText, hostileId, hostileString, invalidUtf8, jobEnvelopeArb, megabytePrompt, promptBodyArb, purgeBodyArb, queryArb } from './payloads';
import { multipartArb } from './multipart';

/**
 * The fuzzer's request model: every endpoint of the producer, with hostile
 * ids, queries, headers and bodies. Ids may point into a pool of real
 * resources (resolved when sent), so another tenant's real ids are probed too.
 */
export type PoolKind = 'job' | 'file' | 'batch' | 'delivery';
export type Auth = 'acme' | 'globex' | 'none' | 'unknown' | 'malformed' | 'admin';

/** An id: a real one from the pool (by index), or a hostile string. */
export type IdRef = { pool: PoolKind; index: number } | { literal: string };

export interface FuzzRequest {
  kind: string;
  method: string;
  /** Path with `{id}` where an IdRef goes. */
  path: string;
  id?: IdRef;
  query: string;
  auth: Auth;
  headers: Record<string, string>;
  body?: Buffer;
  /** Bytes sent as-is over a socket (malformed HTTP, header injection) instead of a normal request. */
  raw?: Buffer;
}

const idRef = (pool: PoolKind): fc.Arbitrary<IdRef> =>
  fc.oneof({ weight: 2, arbitrary: fc.nat().map((index) => ({ pool, index })) }, { weight: 3, arbitrary: hostileId.map((literal) => ({ literal })) });

const auth: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('acme' as const) },
  { weight: 4, arbitrary: fc.constant('globex' as const) },
  { weight: 1, arbitrary: fc.constantFrom('none' as const, 'unknown' as const, 'malformed' as const, 'admin' as const) },
);

/** How a JSON value becomes a body: plain, with invalid UTF-8, truncated, deeply nested, or not JSON at all. */
const jsonBody = (value: fc.Arbitrary<unknown>): fc.Arbitrary<{ body: Buffer; contentType: string }> =>
  fc.oneof(
    { weight: 10, arbitrary: value.map((v) => ({ body: Buffer.from(JSON.stringify(v) ?? 'null'), contentType: 'application/json' })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(value, invalidUtf8, fc.double({ min: 0, max: 1, noNaN: true }))
        .map(([v, bad, at]) => ({ body: corrupt(JSON.stringify(v) ?? 'null', bad, at), contentType: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(value, fc.double({ min: 0, max: 1, noNaN: true })).map(([v, at]) => {
        const t = JSON.stringify(v) ?? '';
        return { body: Buffer.from(t.slice(0, Math.floor(t.length * at))), contentType: 'application/json' };
      }),
    },
    { weight: 1, arbitrary: deepValueText.map((t) => ({ body: Buffer.from(t), contentType: 'application/json' })) },
    { weight: 1, arbitrary: deepValueText.map((t) => ({ body: Buffer.from(`{"model":"auto","messages":[{"role":"user","content":${t}}]}`), contentType: 'application/json' })) },
    {
      weight: 1,
      arbitrary: deepValueText.map((t) => ({ body: Buffer.from(`{"request":{"model":"auto","messages":[{"role":"user","content":"x"}]},"metadata":{"a":${t}}}`), contentType: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          value,
          fc.constantFrom(
            'text/plain',
            'application/json; charset=latin1',
            'application/json; charset=utf-16',
            'application/x-www-form-urlencoded',
            'application/xml',
            '',
            'multipart/form-data',
            'application/json; charset="\u0000"',
          ),
        )
        .map(([v, ct]) => ({ body: Buffer.from(JSON.stringify(v) ?? ''), contentType: ct })),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }).map((s) => ({ body: Buffer.from(s), contentType: 'application/json' })) },
  );

const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        'idempotency-key': fc.oneof(
          hostileString({ maxLength: 20 }).map((s) => keyPart(s) || 'k'),
          fc.constant('k'.repeat(300)),
        ),
        'x-parsimony-task': fc.constantFrom('classify', 'code', '../x', '', 'x'.repeat(500)),
        'x-parsimony-cache': fc.constantFrom('off', 'on', 'refresh', 'bogus'),
        'x-parsimony-min-tier': fc.constantFrom('small', 'mid', 'frontier', 'huge'),
        'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'bogus'),
        'webhook-id': hostileString({ maxLength: 10 }).map(keyPart),
        'webhook-timestamp': fc.constantFrom('0', '-1', '99999999999', 'now'),
        'webhook-signature': fc.constantFrom('v1,abc', '', 'v1,' + 'A'.repeat(44)),
        origin: fc.constantFrom('http://evil.example', 'null'),
        'sec-fetch-site': fc.constantFrom('cross-site', 'same-origin'),
      },
      { requiredKeys: [] },
    ),
  },
);

/** Every route of the producer and the body each takes. */
const routes: fc.Arbitrary<Omit<FuzzRequest, 'auth' | 'query' | 'raw'>>[] = [
  jsonBody(chatBodyArb).map((b) => ({ kind: 'chat', method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': b.contentType }, body: b.body })),
  jsonBody(jobEnvelopeArb).map((b) => ({ kind: 'jobs.create', method: 'POST', path: '/v1/jobs', headers: { 'content-type': b.contentType }, body: b.body })),
  idRef('job').map((id) => ({ kind: 'jobs.get', method: 'GET', path: '/v1/jobs/{id}', id, headers: {} })),
  idRef('job').map((id) => ({ kind: 'jobs.delete', method: 'DELETE', path: '/v1/jobs/{id}', id, headers: {} })),
  multipartArb.map((m) => ({ kind: 'files.upload', method: 'POST', path: '/v1/files', headers: { 'content-type': m.contentType }, body: m.body })),
  fc.constant({ kind: 'files.list', method: 'GET', path: '/v1/files', headers: {} }),
  idRef('file').map((id) => ({ kind: 'files.get', method: 'GET', path: '/v1/files/{id}', id, headers: {} })),
  idRef('file').map((id) => ({ kind: 'files.content', method: 'GET', path: '/v1/files/{id}/content', id, headers: {} })),
  idRef('file').map((id) => ({ kind: 'files.delete', method: 'DELETE', path: '/v1/files/{id}', id, headers: {} })),
  fc.tuple(idRef('file'), fc.nat()).chain(([id, n]) =>
    jsonBody(batchBodyArb(fc.constant('{file}'))).map((b) => ({
      kind: 'batches.create',
      method: 'POST',
      path: '/v1/batches',
      id,
      headers: { 'content-type': b.contentType, 'x-fuzz-n': String(n) },
      body: b.body,
    })),
  ),
  fc.constant({ kind: 'batches.list', method: 'GET', path: '/v1/batches', headers: {} }),
  idRef('batch').map((id) => ({ kind: 'batches.get', method: 'GET', path: '/v1/batches/{id}', id, headers: {} })),
  idRef('batch').map((id) => ({ kind: 'batches.cancel', method: 'POST', path: '/v1/batches/{id}/cancel', id, headers: {} })),
  fc.constant({ kind: 'deliveries.list', method: 'GET', path: '/v1/webhook-deliveries', headers: {} }),
  idRef('delivery').map((id) => ({ kind: 'deliveries.get', method: 'GET', path: '/v1/webhook-deliveries/{id}', id, headers: {} })),
  idRef('delivery').map((id) => ({ kind: 'deliveries.redeliver', method: 'POST', path: '/v1/webhook-deliveries/{id}/redeliver', id, headers: {} })),
  fc.constant({ kind: 'savings', method: 'GET', path: '/v1/savings', headers: {} }),
  fc.constant({ kind: 'queues', method: 'GET', path: '/v1/queues', headers: {} }),
  jsonBody(promptBodyArb).map((b) => ({ kind: 'prompts.create', method: 'POST', path: '/v1/prompts', headers: { 'content-type': b.contentType }, body: b.body })),
  fc.constant({ kind: 'prompts.list', method: 'GET', path: '/v1/prompts', headers: {} }),
  hostileId.map((literal) => ({ kind: 'prompts.delete', method: 'DELETE', path: '/v1/prompts/{id}', id: { literal }, headers: {} })),
  hostileId.map((literal) => ({ kind: 'cache.delete', method: 'DELETE', path: '/v1/cache/entries/{id}', id: { literal }, headers: {} })),
  jsonBody(purgeBodyArb).map((b) => ({ kind: 'cache.purge', method: 'POST', path: '/v1/cache/purge', headers: { 'content-type': b.contentType }, body: b.body })),
  fc
    .string({ unit: 'binary', maxLength: 400 })
    .map((s) => ({ kind: 'openai-webhook', method: 'POST', path: '/webhooks/openai', headers: { 'content-type': 'application/json' }, body: Buffer.from(s) })),
  fc
    .constantFrom(
      '/healthz',
      '/readyz',
      '/metrics',
      '/dashboard',
      '/dashboard/assets/chart.js',
      '/dashboard/assets/..%2F..%2Fpackage.json',
      '/dashboard/assets/%2e%2e',
      '/admin/queues',
      '/admin/queues/api/queues',
      '/admin/../v1/jobs',
      '/v1',
      '/',
      '/v2/jobs',
      '/v1/jobs/',
      '/v1//jobs',
    )
    .map((path) => ({ kind: 'surface', method: 'GET', path, headers: {} })),
  fc
    .tuple(
      fc.constantFrom('PUT', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'DELETE', 'POST'),
      fc.constantFrom('/v1/jobs', '/v1/files', '/v1/savings', '/v1/chat/completions', '/healthz', '/metrics', '/dashboard'),
    )
    .map(([method, path]) => ({ kind: 'method', method, path, headers: {} })),
];

/** Malformed HTTP, sent over a raw socket: the HTTP parser's own errors must also keep the error shape. */
const rawRequest: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .constantFrom(
      'GET /v1/jobs/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\rX-Injected: 1\r\n\r\n',
      'GET /v1/jobs/x HTTP/1.1\r\nHost: x\r\nX-Bad\u0000Name: 1\r\n\r\n',
      'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello',
      'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
      'GET /v1/jobs/ü HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /v1/jobs/a b HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET http://evil.example/v1/jobs/x HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /v1/jobs/x HTTP/9.9\r\nHost: x\r\n\r\n',
      'BREW /v1/jobs HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /v1/jobs/x HTTP/1.1\r\nHost: x\r\nX-Big: ' + 'a'.repeat(20_000) + '\r\n\r\n',
      'GET /v1/jobs/x\r\n\r\n',
      '\r\n\r\n',
    )
    .map((s) => Buffer.from(s, 'latin1')),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Fuzz: ${s}\r\n\r\n`)),
);

/** One generated request. `mega` requests carry a 1 MB prompt. */
export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 400, arbitrary: fc.tuple(fc.oneof(...routes), auth, queryArb, extraHeaders).map(([r, a, q, h]) => ({ ...r, auth: a, query: q, headers: { ...h, ...r.headers } })) },
  { weight: 10, arbitrary: rawRequest.map((raw) => ({ kind: 'raw', method: 'RAW', path: '', query: '', auth: 'none' as const, headers: {}, raw })) },
  { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constantFrom('chat', 'jobs.create')).map(([seed, kind]) => megabyteRequest(seed, kind)) },
);

function megabyteRequest(seed: number, kind: string): FuzzRequest {
  const prompt = megabytePrompt(seed);
  const body = kind === 'chat' ? prompt : { request: prompt, latency: 'async' };
  return {
    kind: `${kind}.1mb`,
    method: 'POST',
    path: kind === 'chat' ? '/v1/chat/completions' : '/v1/jobs',
    query: '',
    auth: 'acme',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(body)),
  };
}

/** A body larger than the default 10 MB limit (sent rarely: it is the size that is tested). */
export function oversizedRequest(): FuzzRequest {
  return { kind: 'chat.11mb', method: 'POST', path: '/v1/chat/completions', query: '', auth: 'acme', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(11 * 1024 * 1024, 0x20) };
}
