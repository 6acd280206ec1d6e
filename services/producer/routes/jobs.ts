import { Router } from 'express';
import { ApiError } from '../../../shared/core/errors/api-error';
import { toPublicJob } from '../../../shared/core/jobs/job-record';
import type { JobStore } from '../../../shared/core/jobs/job-store';
import type { JobOutcomes } from '../../../shared/core/jobs/job-outcomes';
import type { PendingPool } from '../../../shared/levers/batch/pending-pool';
import type { PreviousResponseLookup } from '../../../shared/surfaces/responses/response-store';
import type { JobEnqueuer } from '../job-enqueuer';
import type { JobIntake } from '../job-intake';
import { tenantOf } from '../http/authenticate';
import { prepareSubmission } from '../job-submission';
import { submitBulk } from './jobs-bulk';
import { headerValue, type HotHandler } from '../http/hot-route';
import { sendJson } from '../http/json-reply';

/**
 * POST /v1/jobs: one envelope (queued, or run now with latency "sync") or an
 * array of them (a bulk submission, jobs-bulk.ts). `checkCallback` vets
 * callback_url (the SSRF guard); it throws CallbackRefusedError.
 * `previousResponses`: stored Responses, so a Responses job may continue one
 * with previous_response_id.
 */
export function jobSubmitHandler(
  intake: JobIntake,
  store: JobStore,
  enqueuer: JobEnqueuer,
  checkCallback: (url: string) => Promise<void> = async () => {},
  previousResponses?: PreviousResponseLookup,
): HotHandler {
  return async (req, res) => {
    const context = { tenant: req.tenant, checkCallback, previousResponses };
    const idempotencyKey = headerValue(req.headers, 'idempotency-key');
    // An array body is a bulk submission (jobs-bulk.ts): every element an envelope, validated all before any is stored.
    if (Array.isArray(req.body)) {
      if (idempotencyKey) throw ApiError.invalid('Idempotency-Key header: a bulk submission takes one idempotency_key per element instead');
      const { status, body } = await submitBulk(req.body, context, intake, enqueuer);
      sendJson(res, status, body);
      return;
    }
    const { envelope, request, options } = await prepareSubmission(req.body, { ...context, headerKey: idempotencyKey });
    const { job, created } = await intake.create(context.tenant, request, options);

    if (envelope.latency === 'sync') {
      const finished = created ? await intake.runNow(job.id) : undefined;
      const current = finished?.kind === 'finished' ? finished.job : ((await store.get(job.tenant, job.id)) ?? job);
      res.setHeader('x-parsimony-job-id', current.id);
      sendJson(res, 200, toPublicJob(current));
      return;
    }
    // A replay (same idempotency key) of a job still queued may follow a crash between storing the job and
    // queueing it: queue it now. The queue entry's id is the job id, so this is a no-op when it is queued already.
    if (created || job.status === 'queued') await enqueuer.enqueue(job);
    res.setHeader('x-parsimony-job-id', job.id);
    sendJson(res, created ? 202 : 200, { id: job.id, object: 'job', status: created ? job.status : ((await store.get(job.tenant, job.id))?.status ?? job.status) });
  };
}

/**
 * GET /v1/jobs/:id, DELETE /v1/jobs/:id (POST /v1/jobs is `jobSubmitHandler`,
 * a hot route). `batchPool`: the batch lever's pending pool (`new
 * PendingPool(redis, new BatchKeys(prefix))`), so a cancelled deferred job
 * leaves its group at once; without it the lever drops the job at the group's
 * next claim.
 */
export function jobsRouter(store: JobStore, outcomes: JobOutcomes, enqueuer: JobEnqueuer, batchPool?: Pick<PendingPool, 'withdraw'>): Router {
  const router = Router();

  router.get('/v1/jobs/:id', async (req, res) => {
    const job = await store.get(tenantOf(req), String(req.params.id));
    if (!job) throw ApiError.notFound(`job ${req.params.id}`);
    res.json(toPublicJob(job));
  });

  router.delete('/v1/jobs/:id', async (req, res) => {
    const tenant = tenantOf(req);
    const id = String(req.params.id);
    // Ownership first: another tenant's job must look exactly like a missing one.
    if (!(await store.get(tenant, id))) throw ApiError.notFound(`job ${id}`);
    // A deferred job waits for a provider batch: cancelled like a queued one. Still pending, it leaves its group and
    // is never sent; already in a provider batch, its result is discarded when it arrives (the settlement only
    // completes a job that is still 'deferred'), its cost accounted on the job and the tenant's aggregates.
    const result = await outcomes.cancel(id, ['queued', 'deferred']);
    if (!result.job) throw ApiError.notFound(`job ${id}`);
    if (!result.ok) throw ApiError.conflict(`job ${id} is ${result.job.status}; only queued or deferred jobs can be cancelled`);
    await enqueuer.remove(id);
    if (result.job.deferred && batchPool) {
      // Best effort: if this fails, the lever drops the job by itself at its group's next claim.
      await batchPool.withdraw(id).catch(() => undefined);
    }
    res.json(toPublicJob(result.job));
  });

  return router;
}
