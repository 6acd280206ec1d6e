import { ApiKeyRing } from '../../shared/platform/config/api-keys';
import { NotificationsEnvSchema, parseEnv } from '../../shared/platform/config/env';
import { BatchFeeder } from '../../shared/surfaces/batch-api/batch-feeder';
import { BatchFinalizer } from '../../shared/surfaces/batch-api/batch-finalizer';
import { BatchStore } from '../../shared/surfaces/batch-api/batch-store';
import { BatchSweeper } from '../../shared/surfaces/batch-api/batch-sweeper';
import { BatchTasks } from '../../shared/surfaces/batch-api/batch-tasks';
import { FileStore } from '../../shared/surfaces/batch-api/file-store';
import { lineEnqueuer, waitingCount } from '../../shared/surfaces/batch-api/line-queue';
import { toOpenAIBatch, type StoredBatch } from '../../shared/surfaces/batch-api/batch-record';
import { QUEUES } from '../../shared/platform/queues/queue-catalog';
import type { Platform } from '../../shared/runtime/platform';
import { DeliveryLog } from '../../shared/platform/webhooks/delivery-log';
import { BATCH_EVENT_TYPES } from '../../shared/platform/webhooks/webhook-events';
import { WebhookDispatcher } from '../../shared/platform/webhooks/webhook-dispatcher';
import { parseWebhookSecrets, WebhookSecrets } from '../../shared/platform/webhooks/webhook-secrets';
import { startJobEventsWorker } from './notifications/job-events-worker';
import { startWebhookWorker } from './notifications/webhook-worker';
import { PIPELINE_BACKOFF_TYPE } from '../router-worker/pipeline-backoff';

export interface RunningNotifications {
  close(): Promise<void>;
}

/**
 * Notifications: batch progress and outbound webhooks. Consumes job-events
 * (finished jobs from the outbox; batch feed/finalize/cancel tasks) and webhooks
 * (signed deliveries with retries), and sweeps open batches (expiry,
 * interrupted intakes and finalizations). Started by the batch-submitter;
 * any number of instances may run against one Redis.
 *
 * `env` is the raw process environment (it reads PARSIMONY_WEBHOOK_*,
 * PARSIMONY_BATCH_SWEEP_MS, PARSIMONY_BATCH_FEED_WINDOW, … with their defaults).
 */
export async function startNotifications(platform: Platform, env: Record<string, unknown>): Promise<RunningNotifications> {
  const config = parseEnv(NotificationsEnvSchema, env as Record<string, string | undefined>);
  const log = platform.log.child({ component: 'notifications' });
  const prefix = platform.env.PARSIMONY_QUEUE_PREFIX;
  const retention = config.PARSIMONY_FILE_RETENTION_SECONDS;

  const deliveries = new DeliveryLog(platform.redis, prefix, retention);
  const dispatcher = new WebhookDispatcher(deliveries, platform.queue(QUEUES.webhooks));
  const secrets = new WebhookSecrets(platform.redis, prefix, parseWebhookSecrets(config.PARSIMONY_WEBHOOK_SECRETS), log);
  const batches = new BatchStore(platform.redis, prefix);
  const files = new FileStore(platform.redis, prefix, retention);
  const tasks = new BatchTasks(platform.queue(QUEUES.jobEvents));

  const onFinal = async (batch: StoredBatch) => {
    const url = batch.meta.callback_url;
    if (!url || !(batch.status in BATCH_EVENT_TYPES)) return;
    await dispatcher.emit({
      tenant: batch.meta.tenant,
      url,
      type: BATCH_EVENT_TYPES[batch.status as keyof typeof BATCH_EVENT_TYPES],
      subject: { object: 'batch', id: batch.meta.id },
      data: toOpenAIBatch(batch),
    });
  };
  const finalizer = new BatchFinalizer({ batches, files, store: platform.store, outcomes: platform.outcomes, retentionSeconds: retention, onFinal, log });

  // Tenants known from the API keys get their secret now, so it is logged at start-up rather than at the first event.
  if (config.PARSIMONY_API_KEYS) {
    const tenants = new ApiKeyRing(config.PARSIMONY_API_KEYS).tenants;
    await Promise.all(tenants.map((t) => secrets.get(t))).catch((err) => log.warn({ err: { message: (err as Error).message } }, 'webhook secrets not prepared yet'));
  }

  const pipelineQueue = platform.pipelineQueue;
  const feeder = new BatchFeeder({
    batches,
    enqueue: lineEnqueuer(pipelineQueue, { attempts: platform.env.PARSIMONY_JOB_ATTEMPTS, backoffType: PIPELINE_BACKOFF_TYPE }),
    waiting: () => waitingCount(pipelineQueue),
    window: config.PARSIMONY_BATCH_FEED_WINDOW,
    log,
  });
  let closing = false;
  const concurrency = config.PARSIMONY_NOTIFICATIONS_CONCURRENCY;
  const jobEvents = startJobEventsWorker({ platform, batches, finalizer, feeder, closing: () => closing, tasks, dispatcher, countTtlSeconds: retention, concurrency, log });
  const webhooks = startWebhookWorker({ platform, deliveries, secrets, env: config, log });
  const sweeper = new BatchSweeper({ batches, outcomes: platform.outcomes, tasks, log });
  sweeper.start(config.PARSIMONY_BATCH_SWEEP_MS);
  log.info({ sweepMs: config.PARSIMONY_BATCH_SWEEP_MS, webhookAttempts: config.PARSIMONY_WEBHOOK_ATTEMPTS }, 'notifications running');

  return {
    close: async () => {
      closing = true;
      await sweeper.stop();
      await Promise.all([jobEvents.close(), webhooks.close()]);
    },
  };
}
