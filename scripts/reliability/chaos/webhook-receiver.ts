import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { JobView } from './observations';

/**
 * The chaos run's webhook receiver: verifies each POST's Standard Webhooks
 * signature with its tenant's secret (path /hook/<tenant>), answers 500 to
 * a share of first attempts (so retries happen), and records every receipt.
 */
export interface Receipt {
  tenant: string;
  webhookId: string;
  verified: boolean;
  type?: string;
  /** The job's or batch's id. */
  subject?: string;
  data?: JobView;
  answered: number;
}

export class WebhookReceiver {
  readonly receipts: Receipt[] = [];
  url = '';
  private server?: Server;
  private readonly seen = new Set<string>();

  constructor(
    private readonly secrets: Record<string, string>,
    /** Share of first attempts answered 500. */
    private readonly failShare = 0.15,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const tenant = (req.url ?? '').split('/')[2] ?? '';
        const body = Buffer.concat(chunks).toString('utf8');
        const webhookId = String(req.headers['webhook-id'] ?? '');
        let payload: { type?: string; data?: JobView } | undefined;
        try {
          payload = new Webhook(this.secrets[tenant] ?? 'whsec_AAAAAAAAAAAAAAAAAAAAAAAA').verify(body, req.headers as Record<string, string>) as typeof payload;
        } catch {
          payload = undefined;
        }
        const first = !this.seen.has(webhookId);
        this.seen.add(webhookId);
        const status = first && Math.random() < this.failShare ? 500 : 200;
        this.receipts.push({ tenant, webhookId, verified: payload !== undefined, type: payload?.type, subject: payload?.data?.id, data: payload?.data, answered: status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  callbackFor(tenant: string): string {
    return `${this.url}/hook/${tenant}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
