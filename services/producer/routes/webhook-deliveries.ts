import { Router } from 'express';
import { z } from 'zod';
import type { ProducerEnv } from '../../../shared/platform/config/env';
import { ApiError } from '../../../shared/core/errors/api-error';
import { QUEUES } from '../../../shared/platform/queues/queue-catalog';
import type { Platform } from '../../../shared/runtime/platform';
import { DeliveryLog, toPublicDelivery } from '../../../shared/platform/webhooks/delivery-log';
import { WebhookDispatcher } from '../../../shared/platform/webhooks/webhook-dispatcher';
import { tenantOf } from '../http/authenticate';

const DELIVERY_ID = /^whd_[A-Za-z0-9_-]{1,64}$/;

const ListQuery = z.object({
  after: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

/**
 * GET /v1/webhook-deliveries (the tenant's delivery log, newest first),
 * GET /v1/webhook-deliveries/:id and POST /v1/webhook-deliveries/:id/redeliver
 * (another round of attempts, same webhook-id).
 */
export function webhookDeliveriesRouter(platform: Platform, env: ProducerEnv): Router {
  const deliveries = new DeliveryLog(platform.redis, platform.env.PARSIMONY_QUEUE_PREFIX, env.PARSIMONY_FILE_RETENTION_SECONDS);
  const dispatcher = new WebhookDispatcher(deliveries, platform.queue(QUEUES.webhooks));
  const router = Router();

  const mustGet = async (tenant: string, id: string) => {
    const delivery = DELIVERY_ID.test(id) ? await deliveries.get(tenant, id) : undefined;
    if (!delivery) throw ApiError.notFound(`webhook delivery ${id}`);
    return delivery;
  };

  router.get('/v1/webhook-deliveries', async (req, res) => {
    const page = await deliveries.list(tenantOf(req), ListQuery.parse(req.query));
    res.json({ ...page, data: page.data.map(toPublicDelivery) });
  });

  router.get('/v1/webhook-deliveries/:id', async (req, res) => {
    res.json(toPublicDelivery(await mustGet(tenantOf(req), String(req.params.id))));
  });

  router.post('/v1/webhook-deliveries/:id/redeliver', async (req, res) => {
    const tenant = tenantOf(req);
    const id = String(req.params.id);
    const delivery = await mustGet(tenant, id);
    if (delivery.status === 'pending' || delivery.status === 'retrying')
      throw ApiError.conflict(`webhook delivery ${id} is still being attempted (${delivery.status}); redeliver it once it has succeeded or failed`);
    const reopened = await dispatcher.redeliver(tenant, id);
    res.status(202).json(toPublicDelivery(reopened ?? delivery));
  });

  return router;
}
