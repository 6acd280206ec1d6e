import { UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import type { NotificationsEnv } from '../../../shared/platform/config/env';
import { recordWebhookDelivery } from '../../../shared/platform/metrics/record-events';
import { JOB_NAMES, QUEUES } from '../../../shared/platform/queues/queue-catalog';
import { queueProcessor } from '../../../shared/platform/queues/queue-handlers';
import type { Platform } from '../../../shared/runtime/platform';
import type { DeliveryLog } from '../../../shared/platform/webhooks/delivery-log';
import { WEBHOOK_BACKOFF_TYPE, webhookBackoffMs } from '../../../shared/platform/webhooks/webhook-dispatcher';
import type { WebhookSecrets } from '../../../shared/platform/webhooks/webhook-secrets';
import { sendWebhook } from '../../../shared/platform/webhooks/webhook-sender';

export interface WebhookWorkerDeps {
  platform: Platform;
  deliveries: DeliveryLog;
  secrets: WebhookSecrets;
  env: NotificationsEnv;
  log: Logger;
}

/**
 * Delivers webhooks at least once: each attempt is signed afresh (Standard
 * Webhooks: same webhook-id, new timestamp), logged with its status code,
 * and retried with exponential backoff (PARSIMONY_WEBHOOK_BACKOFF_MS
 * doubling up to PARSIMONY_WEBHOOK_BACKOFF_MAX_MS) until a 2xx or
 * PARSIMONY_WEBHOOK_ATTEMPTS. A target the SSRF guard refuses is not retried.
 */
export function startWebhookWorker(deps: WebhookWorkerDeps): Worker {
  const { platform, deliveries, secrets, env, log } = deps;
  const backoff = (attemptsMade: number) => webhookBackoffMs(attemptsMade, env.PARSIMONY_WEBHOOK_BACKOFF_MS, env.PARSIMONY_WEBHOOK_BACKOFF_MAX_MS);
  const worker = new Worker(
    QUEUES.webhooks,
    queueProcessor(QUEUES.webhooks, {
      [JOB_NAMES.deliverWebhook]: async ({ deliveryId: id }, job) => {
        const delivery = await deliveries.load(id);
        const body = await deliveries.body(id);
        if (!delivery || body === null) return 'gone';
        if (delivery.status === 'succeeded' || delivery.status === 'failed') return delivery.status;

        const at = new Date();
        const headers = {
          'webhook-id': delivery.webhook_id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': new Webhook(await secrets.get(delivery.tenant)).sign(delivery.webhook_id, at, body),
        };
        const result = await sendWebhook(delivery.url, headers, body, { timeoutMs: env.PARSIMONY_WEBHOOK_TIMEOUT_MS, allowHosts: env.PARSIMONY_WEBHOOK_ALLOW_HOSTS });
        const attempt = { attempt: delivery.attempts.length + 1, at: at.toISOString(), status_code: result.status_code, error: result.error, duration_ms: result.duration_ms };
        const metric = (outcome: 'delivered' | 'retrying' | 'failed') => recordWebhookDelivery({ outcome, status: result.status_code ?? undefined, durationMs: result.duration_ms });
        if (result.status_code !== null && result.status_code >= 200 && result.status_code < 300) {
          await deliveries.recordAttempt(id, attempt, 'succeeded', null);
          metric('delivered');
          return 'succeeded';
        }
        const round = job.attemptsMade + 1;
        if (result.refused || round >= env.PARSIMONY_WEBHOOK_ATTEMPTS) {
          await deliveries.recordAttempt(id, attempt, 'failed', null);
          metric('failed');
          log.warn({ deliveryId: id, url: delivery.url, attempts: round, error: result.error }, 'webhook delivery gave up');
          throw new UnrecoverableError(result.error ?? 'delivery failed');
        }
        await deliveries.recordAttempt(id, attempt, 'retrying', new Date(Date.now() + backoff(round)));
        metric('retrying');
        throw new Error(result.error ?? 'delivery failed');
      },
    }),
    {
      connection: platform.redis,
      prefix: platform.bullPrefix,
      concurrency: env.PARSIMONY_NOTIFICATIONS_CONCURRENCY,
      settings: { backoffStrategy: (attemptsMade: number, type?: string) => (type === WEBHOOK_BACKOFF_TYPE ? backoff(attemptsMade) : -1) },
    },
  );
  worker.on('error', (err) => log.warn({ err: { message: err.message } }, 'webhook worker error'));
  return worker;
}
