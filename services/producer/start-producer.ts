import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { ApiKeyRing } from '../../shared/platform/config/api-keys';
import type { ProducerEnv } from '../../shared/platform/config/env';
import type { Platform } from '../../shared/runtime/platform';
import { waitForRedis } from '../../shared/platform/redis/connections';
import { createProducerHttp } from './app';

export interface RunningProducer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Starts the producer's HTTP server on env.HOST:env.PORT (0 = any free port). */
export async function startProducer(platform: Platform, env: ProducerEnv, localWorkers?: () => boolean): Promise<RunningProducer> {
  const keys = new ApiKeyRing(env.PARSIMONY_API_KEYS);
  const { listener } = createProducerHttp({ platform, env, keys, localWorkers });
  // Give Redis a moment to connect so the first requests are not 503s; if it is down, start anyway
  // (requests answer 503 and /readyz says why) and recover when it returns.
  await waitForRedis(platform.redis, 5_000).catch(() => platform.log.warn('Redis not reachable yet; answering 503 until it is'));
  // The hot routes are served by the lean ingress; it hands every other request to the express app.
  const server = createServer(listener);
  server.on('clientError', answerClientError);
  // Keep-alive longer than typical load balancers' idle timeout, so they close first.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.PORT, env.HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${port}`;
  platform.log.info({ url, tenants: keys.tenants }, 'producer listening');
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/**
 * Requests Node's HTTP parser rejects (malformed request line or headers,
 * headers too large, smuggling attempts) never reach the ingress or Express; Node's default
 * answer has no body. Answer them in the API's error shape instead.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message = status === 431 ? 'request headers are larger than this server accepts' : status === 408 ? 'the request took too long to arrive' : 'malformed HTTP request';
  const body = JSON.stringify({ error: { type: status === 431 ? 'request_too_large' : 'invalid_request_error', message } });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
