import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { track } from '../helpers/lifecycle';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The payload when the signature verified with the receiver's secret, else undefined. */
  verified?: { type: string; timestamp: string; data: Record<string, unknown> };
  answered: number;
}

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status to answer per path (default 200); a function sees how many requests that path had before. */
  respond: Map<string, number | ((n: number) => number | 'hang')>;
  /** Verify with this secret (may be set after start, e.g. once a generated secret is known). */
  secret?: string;
  waitFor(count: number, path?: string, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 built with node:http, verifying Standard Webhooks signatures. */
export function startReceiver(secret?: string): Promise<Receiver> {
  return track(listen(secret));
}

async function listen(secret?: string): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const respond: Receiver['respond'] = new Map();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const body = Buffer.concat(chunks).toString('utf8');
      const before = received.filter((r) => r.path === path).length;
      const rule = respond.get(path) ?? 200;
      const status = typeof rule === 'function' ? rule(before) : rule;
      let verified: ReceivedWebhook['verified'];
      try {
        if (receiver.secret) verified = new Webhook(receiver.secret).verify(body, req.headers as Record<string, string>) as ReceivedWebhook['verified'];
      } catch {
        verified = undefined;
      }
      received.push({ path, headers: req.headers, body, verified, answered: status === 'hang' ? 0 : status });
      if (status === 'hang') return;
      if (status >= 300 && status < 400) res.setHeader('location', '/redirected');
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}`,
    received,
    respond,
    secret,
    async waitFor(count, path, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const hits = received.filter((r) => path === undefined || r.path === path);
        if (hits.length >= count) return hits;
        if (Date.now() > until) throw new Error(`receiver got ${hits.length} of ${count} webhooks on ${path ?? 'any path'}: ${JSON.stringify(received.map((r) => r.path))}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return receiver;
}
