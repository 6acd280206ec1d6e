import { Router } from 'express';
import { z } from 'zod';
import { BatchIntake } from '../../../shared/surfaces/batch-api/batch-intake';
import { toOpenAIBatch, type BatchStatus } from '../../../shared/surfaces/batch-api/batch-record';
import { BatchStore } from '../../../shared/surfaces/batch-api/batch-store';
import { BatchTasks } from '../../../shared/surfaces/batch-api/batch-tasks';
import { FileStore } from '../../../shared/surfaces/batch-api/file-store';
import { lineEnqueuer } from '../../../shared/surfaces/batch-api/line-queue';
import type { ProducerEnv } from '../../../shared/platform/config/env';
import { ApiError } from '../../../shared/core/errors/api-error';
import type { ValidateStage } from '../../../shared/pipeline/validate-stage';
import { QUEUES } from '../../../shared/platform/queues/queue-catalog';
import type { Platform } from '../../../shared/runtime/platform';
import { PIPELINE_BACKOFF_TYPE } from '../../router-worker/pipeline-backoff';
import { tenantOf } from '../http/authenticate';

const CreateBatchBody = z
  .object({
    input_file_id: z.string().min(1),
    endpoint: z.string().min(1),
    completion_window: z.string().min(1),
    metadata: z
      .record(z.string().max(64, 'metadata keys are at most 64 characters'), z.string().max(2048, 'metadata values are at most 2048 characters'))
      .refine((m) => Object.keys(m).length <= 16, 'metadata holds at most 16 keys')
      .nullable()
      .optional(),
    /** Accepted for SDK compatibility; Parsimony keeps output files for PARSIMONY_FILE_RETENTION_SECONDS. */
    output_expires_after: z.object({ anchor: z.string(), seconds: z.number().int().positive() }).strict().optional(),
  })
  .strict();

const ListQuery = z.object({
  after: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

/** POST /v1/batches, GET /v1/batches, GET /v1/batches/:id, POST /v1/batches/:id/cancel. */
export function batchesRouter(platform: Platform, env: ProducerEnv, validate: ValidateStage): Router {
  const prefix = platform.env.PARSIMONY_QUEUE_PREFIX;
  const batches = new BatchStore(platform.redis, prefix);
  const tasks = new BatchTasks(platform.queue(QUEUES.jobEvents));
  const intake = new BatchIntake({
    files: new FileStore(platform.redis, prefix, env.PARSIMONY_FILE_RETENTION_SECONDS),
    batches,
    store: platform.store,
    outcomes: platform.outcomes,
    tasks,
    checkModel: (model, request) => validate.check(model, request),
    enqueueLines: lineEnqueuer(platform.pipelineQueue, { attempts: platform.env.PARSIMONY_JOB_ATTEMPTS, backoffType: PIPELINE_BACKOFF_TYPE }),
    feedWindow: env.PARSIMONY_BATCH_FEED_WINDOW,
    allowHosts: env.PARSIMONY_WEBHOOK_ALLOW_HOSTS,
    lineMaxBytes: env.PARSIMONY_BATCH_LINE_MAX_BYTES,
    retentionSeconds: env.PARSIMONY_FILE_RETENTION_SECONDS,
    log: platform.log.child({ component: 'batch-intake' }),
  });
  const router = Router();

  router.post('/v1/batches', async (req, res) => {
    const body = CreateBatchBody.parse(req.body ?? undefined);
    // A client that hangs up before its batch is stored gets nothing created.
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const batch = await intake.create(tenantOf(req), body, abort.signal);
    res.json(toOpenAIBatch(batch));
  });

  router.get('/v1/batches', async (req, res) => {
    const page = await batches.list(tenantOf(req), ListQuery.parse(req.query));
    res.json({ ...page, data: page.data.map(toOpenAIBatch) });
  });

  router.get('/v1/batches/:id', async (req, res) => {
    const batch = await batches.get(tenantOf(req), String(req.params.id));
    if (!batch) throw ApiError.notFound(`batch ${req.params.id}`);
    res.json(toOpenAIBatch(batch));
  });

  router.post('/v1/batches/:id/cancel', async (req, res) => {
    const tenant = tenantOf(req);
    const id = String(req.params.id);
    for (let attempt = 0; attempt < 5; attempt++) {
      const batch = await batches.get(tenant, id);
      if (!batch) throw ApiError.notFound(`batch ${id}`);
      if (batch.status === 'cancelling' || batch.status === 'cancelled' || (batch.status === 'finalizing' && batch.end === 'cancelled')) return void res.json(toOpenAIBatch(batch));
      if (batch.status !== 'validating' && batch.status !== 'in_progress') throw ApiError.conflict(`batch ${id} is ${batch.status}; only validating or in_progress batches can be cancelled`);
      const moved = await batches.transition(id, [batch.status as BatchStatus], 'cancelling', { cancelling_at: Math.floor(Date.now() / 1000) });
      if (!moved.ok) continue; // the status moved meanwhile: look again
      // A validating batch is cancelled by its intake once all its lines are stored.
      if (batch.status === 'in_progress') await tasks.cancel(id);
      return void res.json(toOpenAIBatch((await batches.get(tenant, id))!));
    }
    throw ApiError.conflict(`batch ${id} is changing status; retry`);
  });

  return router;
}
