import type { Queue } from 'bullmq';
import { JOB_NAMES, type DeliverWebhookPayload } from '../queues/queue-catalog';
import type { Delivery, DeliveryLog } from './delivery-log';
import { eventBody, eventIds, type WebhookEvent } from './webhook-events';

/** Name of the BullMQ backoff strategy of webhook deliveries. */
export const WEBHOOK_BACKOFF_TYPE = 'webhook-exponential';

/**
 * BullMQ's own attempt limit for a delivery job. The webhook worker applies
 * the configured limit (PARSIMONY_WEBHOOK_ATTEMPTS) itself and stops with an
 * UnrecoverableError, so whoever enqueues (producer or worker) needs no
 * retry settings; this only bounds a misconfiguration.
 */
const ATTEMPTS_CEILING = 100;

/** Retry delay after `attemptsMade` failed attempts: `baseMs` doubling, capped at `maxMs`. */
export function webhookBackoffMs(attemptsMade: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
}

/**
 * Turns events into deliveries: a delivery-log record (created once per
 * event id) and a job on the webhooks queue. Raising the same event twice
 * queues it at most once per open delivery, so at-least-once producers of
 * events do not make receivers see duplicates with different ids.
 */
export class WebhookDispatcher {
  constructor(
    private readonly log: DeliveryLog,
    private readonly queue: Queue,
  ) {}

  async emit(event: WebhookEvent): Promise<string> {
    const { deliveryId, webhookId } = eventIds(event.subject, event.type);
    const existing = await this.log.create({
      id: deliveryId,
      webhook_id: webhookId,
      tenant: event.tenant,
      event_type: event.type,
      url: event.url,
      subject: event.subject,
      body: eventBody(event.type, event.data),
    });
    // Created now, or created earlier but maybe never queued (a crash in between): queue it (the job id dedupes).
    if (existing === '' || existing === 'pending' || existing === 'retrying') await this.enqueue(deliveryId, deliveryId);
    return deliveryId;
  }

  /** Starts another round of attempts of a delivery, with the same webhook-id. */
  async redeliver(tenant: string, id: string): Promise<Delivery | undefined> {
    const delivery = await this.log.get(tenant, id);
    if (!delivery) return undefined;
    const round = await this.log.reopen(id);
    await this.enqueue(id, `${id}-r${round}`);
    return this.log.get(tenant, id);
  }

  private async enqueue(deliveryId: string, jobId: string): Promise<void> {
    const payload: DeliverWebhookPayload = { deliveryId };
    await this.queue.add(JOB_NAMES.deliverWebhook, payload, {
      jobId,
      attempts: ATTEMPTS_CEILING,
      backoff: { type: WEBHOOK_BACKOFF_TYPE },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 24 * 3600 },
    });
  }
}
