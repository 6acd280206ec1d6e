import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorizationMatches } from './bearer-key';
import { parsimonyMetrics } from './parsimony-metrics';

export interface MetricsServerOptions {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** When set, scrapes must send `Authorization: Bearer <key>`. Default: unprotected. */
  key?: string;
}

/**
 * A bare /metrics listener for processes without an HTTP API (a
 * router-worker on its own), so their stage latencies and job counters can be
 * scraped too. The producer serves /metrics on its own port instead.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const { registry } = parsimonyMetrics();
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { type: 'not_found_error', message: 'only GET /metrics here' } }));
      return;
    }
    if (options.key && !authorizationMatches(req.headers.authorization, options.key)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { type: 'authentication_error', message: 'send Authorization: Bearer <PARSIMONY_METRICS_KEY>' } }));
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${options.host ?? '127.0.0.1'}:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
