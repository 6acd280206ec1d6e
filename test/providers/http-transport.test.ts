import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bufferedResponse } from '../../shared/providers/buffered-response';
import { keepAliveFetch } from '../../shared/providers/http-transport';

/** A real HTTP server whose routes exercise what the SDKs need from their fetch. */
let server: http.Server;
let base = '';
const seen: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method, headers: req.headers, body });
      if (req.url === '/json') {
        res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'r1', 'retry-after': '3' });
        res.end(JSON.stringify({ echo: body }));
      } else if (req.url === '/empty') {
        res.writeHead(204).end();
      } else if (req.url === '/sse') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        setTimeout(() => res.end('data: two\n\n'), 20);
      } else if (req.url === '/hang') {
        // never answers
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"nope"}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('keepAliveFetch', () => {
  const f = keepAliveFetch();

  test('sends method, headers and a string body; returns status, headers and the JSON body', async () => {
    const res = await f(`${base}/json`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: '{"a":1}' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe('r1');
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({ echo: '{"a":1}' });
    const last = seen[seen.length - 1];
    expect(last).toMatchObject({ method: 'POST', body: '{"a":1}' });
    expect(last.headers.authorization).toBe('Bearer k');
  });

  test('Headers objects, 204 without a body, and error statuses pass through', async () => {
    const empty = await f(`${base}/empty`, { method: 'DELETE', headers: new Headers({ 'x-one': '1' }) });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    expect(seen[seen.length - 1].headers['x-one']).toBe('1');
    const missing = await f(`${base}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'nope' });
  });

  test('an event stream arrives as a stream, event by event', async () => {
    const res = await f(`${base}/sse`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: one\n\n');
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toBe('data: two\n\n');
  });

  test('aborting rejects with an AbortError, before or during the request', async () => {
    const pre = new AbortController();
    pre.abort();
    await expect(f(`${base}/json`, { signal: pre.signal })).rejects.toMatchObject({ name: 'AbortError' });
    const during = new AbortController();
    const pending = f(`${base}/hang`, { signal: during.signal });
    setTimeout(() => during.abort(), 30);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  test('a refused connection rejects like fetch does (TypeError with a cause)', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(f(`http://127.0.0.1:${port}/x`)).rejects.toBeInstanceOf(TypeError);
  });

  test('bodies it does not handle itself (multipart) go to the global fetch and still arrive', async () => {
    const form = new FormData();
    form.append('purpose', 'batch');
    const res = await f(`${base}/json`, { method: 'POST', body: form });
    expect(res.status).toBe(201);
    expect(seen[seen.length - 1].headers['content-type']).toMatch(/^multipart\/form-data/);
    expect(seen[seen.length - 1].body).toContain('batch');
  });
});

describe('bufferedResponse (a body already read, decoded without a web stream)', () => {
  const make = (text: string, status = 200) => bufferedResponse(Buffer.from(text, 'utf8'), { status, headers: { 'content-type': 'application/json' } });

  test('is a Response: status, headers, ok, and a JSON body read once, as fetch allows', async () => {
    const res = make('{"a":"é"}', 201);
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.bodyUsed).toBe(false);
    expect(await res.json()).toEqual({ a: 'é' });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toBeInstanceOf(TypeError);
  });

  test('text, arrayBuffer and blob give the same bytes; invalid JSON rejects like fetch', async () => {
    expect(await make('héllo').text()).toBe('héllo');
    expect(Buffer.from(await make('héllo').arrayBuffer()).toString('utf8')).toBe('héllo');
    expect(await (await make('héllo').blob()).text()).toBe('héllo');
    await expect(make('{not json').json()).rejects.toBeInstanceOf(SyntaxError);
  });

  test('looking at body does not use it; body is a one-shot stream of the same bytes; clone reads independently', async () => {
    const watched = make('{"w":2}');
    expect(watched.body?.locked).toBe(false);
    await new Promise((r) => setImmediate(r)); // a stream reading ahead would have used the body by now
    expect(watched.bodyUsed).toBe(false);
    expect(await watched.json()).toEqual({ w: 2 });
    const res = make('{"x":1}');
    const copy = res.clone();
    const reader = res.body!.getReader();
    let text = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value);
    expect(text).toBe('{"x":1}');
    expect(res.bodyUsed).toBe(true);
    await expect(res.json()).rejects.toBeInstanceOf(TypeError);
    expect(() => res.clone()).toThrow(TypeError);
    expect(await copy.json()).toEqual({ x: 1 });
  });
});
