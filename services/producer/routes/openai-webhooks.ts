import express, { Router } from 'express';
import OpenAI from 'openai';
import type { Logger } from 'pino';
import { BatchKeys } from '../../../shared/levers/batch/batch-keys';
import { ApiError } from '../../../shared/core/errors/api-error';
import { JOB_NAMES, QUEUES, type CheckProviderBatchPayload } from '../../../shared/platform/queues/queue-catalog';
import type { Platform } from '../../../shared/runtime/platform';

/** The OpenAI events that mean a batch will not change any more. */
const BATCH_EVENTS = new Set(['batch.completed', 'batch.failed', 'batch.expired', 'batch.cancelled']);

/** How long a processed event id is remembered (OpenAI retries deliveries for up to 72 h). */
const EVENT_TTL_SECONDS = 7 * 24 * 3600;

/** Largest webhook body accepted (events are a few hundred bytes). */
const BODY_LIMIT = '256kb';

/**
 * POST /webhooks/openai: OpenAI's batch webhooks (Standard Webhooks:
 * webhook-id, webhook-timestamp, webhook-signature = HMAC-SHA256 over
 * `id.timestamp.body` with the whsec_ secret). Verified with the openai SDK's
 * own helper on the raw body (so it is mounted before the JSON parser); a bad
 * signature or a timestamp outside 5 minutes answers 400. Each event id is
 * processed once: it triggers an immediate check of that provider batch on
 * the batch queue (polling remains the safety net). Without
 * OPENAI_WEBHOOK_SECRET the route answers 404.
 */
export function openAIWebhooksRouter(platform: Platform, secret: string | undefined, log: Logger): Router {
  const router = Router();
  const client = secret ? new OpenAI({ apiKey: 'webhook-verification-only', webhookSecret: secret }) : undefined;
  const keys = new BatchKeys(platform.env.PARSIMONY_QUEUE_PREFIX);

  router.post('/webhooks/openai', express.raw({ type: () => true, limit: BODY_LIMIT }), async (req, res) => {
    if (!client) throw ApiError.notFound('POST /webhooks/openai (OPENAI_WEBHOOK_SECRET is not set)');
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    let event: { id: string; type: string; data?: { id?: string } };
    try {
      event = (await client.webhooks.unwrap(body, req.headers as Record<string, string>, secret)) as typeof event;
    } catch (err) {
      log.warn({ webhookId: req.get('webhook-id'), reason: (err as Error).message }, 'rejected an OpenAI webhook');
      throw ApiError.invalid(`webhook rejected: ${(err as Error).message}`);
    }
    const batchId = event.data?.id;
    if (!BATCH_EVENTS.has(event.type) || !batchId) {
      res.json({ received: true, ignored: true });
      return;
    }
    const marker = keys.webhookEvent(event.id);
    if ((await platform.redis.set(marker, batchId, 'EX', EVENT_TTL_SECONDS, 'NX')) !== 'OK') {
      res.json({ received: true, duplicate: true });
      return;
    }
    const payload: CheckProviderBatchPayload = { provider: 'openai', provider_batch_id: batchId, event_id: event.id };
    try {
      await platform.queue(QUEUES.batch).add(JOB_NAMES.checkProviderBatch, payload, {
        jobId: `check-${event.id}`,
        attempts: 5,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: true,
        removeOnFail: { age: 24 * 3600 },
      });
    } catch (err) {
      // Not processed: forget the event so OpenAI's retry of it is.
      await platform.redis.del(marker).catch(() => undefined);
      throw err;
    }
    log.info({ eventId: event.id, type: event.type, providerBatchId: batchId }, 'OpenAI batch webhook accepted');
    res.json({ received: true });
  });
  return router;
}
