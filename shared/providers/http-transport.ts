import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { bufferedResponse } from './buffered-response';

/**
 * The `fetch` both official SDKs are given: plain node:http(s) over keep-alive
 * agents instead of the global (undici) fetch. Every provider call pays for
 * its HTTP client on the hot path, and the WHATWG fetch machinery (request
 * and header objects, web streams for every body) costs several times what a
 * node:http request does. Only what chat and batch calls send takes this
 * path — a string or byte body, or none; anything else (multipart uploads,
 * streamed request bodies) goes to the global fetch unchanged.
 *
 * Responses are real `Response` objects: a JSON body is read in full first
 * and decoded from memory (buffered-response.ts: no web stream in between),
 * an event stream is handed over as a web stream so tokens flow as they arrive.
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface KeepAliveFetchOptions {
  /** Most sockets per provider host; default 256. */
  maxSockets?: number;
  /** Idle keep-alive sockets kept per host; default 64. */
  maxFreeSockets?: number;
}

export function keepAliveFetch(options: KeepAliveFetchOptions = {}): FetchLike {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256, maxFreeSockets: options.maxFreeSockets ?? 64, scheduling: 'lifo' as const };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

  return (input, init) => {
    const body = init?.body;
    const simpleBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if (!simpleBody || input instanceof Request) return fetch(input, init);
    const url = typeof input === 'string' ? new URL(input) : input;
    const protocol = url.protocol as 'http:' | 'https:';
    if (protocol !== 'http:' && protocol !== 'https:') return fetch(input, init);
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortError(signal));

    return new Promise<Response>((resolve, reject) => {
      const request = (protocol === 'https:' ? https : http).request(url, { method: init?.method ?? 'GET', headers: plainHeaders(init?.headers), agent: agents[protocol] });
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      };
      const onAbort = () => {
        const err = abortError(signal!);
        request.destroy(err instanceof Error ? err : undefined);
        fail(err);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      request.on('error', (err) => fail(new TypeError('fetch failed', { cause: err })));
      request.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const headers = responseHeaders(res.rawHeaders);
        const done = (payload: Buffer | ReadableStream<Uint8Array> | null) => {
          if (settled) return;
          settled = true;
          const responseInit = { status, statusText: res.statusMessage, headers };
          resolve(Buffer.isBuffer(payload) ? bufferedResponse(payload, responseInit) : new Response(payload, responseInit));
        };
        if (status === 204 || status === 205 || status === 304 || init?.method === 'HEAD') {
          res.resume();
          signal?.removeEventListener('abort', onAbort);
          return done(null);
        }
        if (/^text\/event-stream/i.test(res.headers['content-type'] ?? '')) {
          // Streamed: the caller's abort keeps working through the web stream (destroying the socket).
          res.once('close', () => signal?.removeEventListener('abort', onAbort));
          return done(Readable.toWeb(res) as ReadableStream<Uint8Array>);
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => fail(new TypeError('fetch failed', { cause: err })));
        res.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          done(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
        });
      });
      request.end(body ?? undefined);
    });
  };
}

function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && value !== null) out[name] = String(value);
  return out;
}

function responseHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return headers;
}

/** What the global fetch rejects with on abort: the signal's reason, else an AbortError. */
function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
