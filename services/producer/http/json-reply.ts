import type { ServerResponse } from 'node:http';

/**
 * Answers `body` as JSON with `status`, exactly as express's `res.json` does
 * (`application/json; charset=utf-8`, a Content-Length, no ETag) but on a
 * plain node:http response, so the lean ingress and the express routes write
 * the same bytes. Headers already set on `res` (x-parsimony-*) are kept.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}
