import { Webhook } from 'standardwebhooks';
import type { Logger } from 'pino';
import { nowSeconds, randomHex } from './prng';
import type { Scheduler } from './scheduler';

/**
 * OpenAI-style batch webhooks, signed per Standard Webhooks (webhook-id,
 * webhook-timestamp, webhook-signature `v1,<base64 HMAC-SHA256>`), retried
 * with backoff on failure like the real sender (here: a few quick tries).
 */

export interface WebhookConfig {
  url: string;
  /** `whsec_<base64>` signing secret. */
  secret: string;
}

export type BatchEventType = 'batch.completed' | 'batch.failed' | 'batch.expired' | 'batch.cancelled';

const RETRY_DELAYS_MS = [500, 2000, 5000];
const TIMEOUT_MS = 5000;

export class WebhookSender {
  private readonly signer: Webhook;

  constructor(
    private readonly config: WebhookConfig,
    private readonly scheduler: Scheduler,
    private readonly log: Logger,
  ) {
    this.signer = new Webhook(config.secret);
  }

  batchEvent(type: BatchEventType, batchId: string): void {
    const event = { id: randomHex('evt_', 32), object: 'event', type, created_at: nowSeconds(), data: { id: batchId } };
    // The delivery id (webhook-id) differs from the event id and stays the same across retries.
    void this.deliver(JSON.stringify(event), randomHex('wh_', 32), 0);
  }

  private async deliver(payload: string, eventId: string, attempt: number): Promise<void> {
    const timestamp = new Date();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'OpenAI/1.0 (+simulator)',
      'webhook-id': eventId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': this.signer.sign(eventId, timestamp, payload),
    };
    try {
      const res = await fetch(this.config.url, { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(TIMEOUT_MS) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        this.log.debug({ eventId, attempt }, 'webhook delivered');
        return;
      }
      this.retry(payload, eventId, attempt, `status ${res.status}`);
    } catch (err) {
      this.retry(payload, eventId, attempt, (err as Error).message);
    }
  }

  private retry(payload: string, eventId: string, attempt: number, reason: string): void {
    if (attempt >= RETRY_DELAYS_MS.length) {
      this.log.warn({ eventId, reason }, 'webhook delivery failed, giving up');
      return;
    }
    this.log.debug({ eventId, attempt, reason }, 'webhook delivery failed, retrying');
    this.scheduler.after(RETRY_DELAYS_MS[attempt], () => void this.deliver(payload, eventId, attempt + 1));
  }
}
