import { createHash } from 'node:crypto';
import type { DeliverySubject } from './delivery-log';

export const JOB_EVENT_TYPES = { completed: 'job.completed', failed: 'job.failed', cancelled: 'job.cancelled' } as const;
export const BATCH_EVENT_TYPES = {
  completed: 'batch.completed',
  failed: 'batch.failed',
  expired: 'batch.expired',
  cancelled: 'batch.cancelled',
} as const;

export interface WebhookEvent {
  tenant: string;
  url: string;
  type: string;
  subject: DeliverySubject;
  data: unknown;
}

/**
 * Ids of one event, derived from what it is about, so the same event raised
 * twice (a job-events message delivered again) is one delivery with one
 * `webhook-id`, which receivers dedupe on.
 */
export function eventIds(subject: DeliverySubject, type: string): { deliveryId: string; webhookId: string } {
  const digest = createHash('sha256').update(`${subject.object}:${subject.id}:${type}`).digest('base64url').slice(0, 24);
  return { deliveryId: `whd_${digest}`, webhookId: `msg_${digest}` };
}

/** The Standard Webhooks payload: `{ type, timestamp, data }`. */
export function eventBody(type: string, data: unknown, at = new Date()): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}
