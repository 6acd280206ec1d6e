import { Router } from 'express';
import { ApiError } from '../../../shared/core/errors/api-error';
import { parseDeadline } from '../../../shared/core/jobs/deadline';
import { toPublicJob } from '../../../shared/core/jobs/job-record';
import type { JobStore } from '../../../shared/core/jobs/job-store';
import type { JobOutcomes } from '../../../shared/core/jobs/job-outcomes';
import type { PendingPool } from '../../../shared/levers/batch/pending-pool';
import { ChatCompletionBodySchema } from '../../../shared/surfaces/chat-completions/request-schema';
import { openAIBodyToChatRequest } from '../../../shared/surfaces/chat-completions/to-internal';
import { CallbackRefusedError } from '../../../shared/platform/webhooks/ssrf-guard';
import type { JobEnqueuer } from '../job-enqueuer';
import type { JobIntake } from '../job-intake';
import { tenantOf } from '../http/authenticate';
import { JobEnvelopeSchema } from '../jobs-envelope';

/**
 * POST /v1/jobs, GET /v1/jobs/:id, DELETE /v1/jobs/:id. `checkCallback`
 * vets callback_url (the SSRF guard); it throws CallbackRefusedError.
 * `batchPool`: the batch lever's pending pool (`new PendingPool(redis, new
 * BatchKeys(prefix))`), so a cancelled deferred job leaves its group at once;
 * without it the lever drops the job at the group's next claim.
 */
export function jobsRouter(
  intake: JobIntake,
  store: JobStore,
  outcomes: JobOutcomes,
  enqueuer: JobEnqueuer,
  checkCallback: (url: string) => Promise<void> = async () => {},
  batchPool?: Pick<PendingPool, 'withdraw'>,
): Router {
  const router = Router();

  router.post('/v1/jobs', async (req, res) => {
    const envelope = JobEnvelopeSchema.parse(req.body ?? undefined);
    const headerKey = req.get('idempotency-key');
    if (headerKey && envelope.idempotency_key && headerKey !== envelope.idempotency_key)
      throw ApiError.invalid('Idempotency-Key header and idempotency_key field differ; send one of them');
    const idempotencyKey = envelope.idempotency_key ?? headerKey;
    const requestedModel = envelope.model ?? (typeof envelope.request.model === 'string' ? envelope.request.model : 'auto');
    const body = prefixIssues(() => ChatCompletionBodySchema.parse({ ...envelope.request, model: requestedModel }));
    if (body.stream) throw ApiError.invalid('request.stream: jobs cannot stream; use POST /v1/chat/completions for a streamed answer');
    if (envelope.callback_url)
      await checkCallback(envelope.callback_url).catch((err: unknown) => {
        throw err instanceof CallbackRefusedError ? ApiError.invalid(`callback_url ${err.message}`) : err;
      });

    const { job, created } = await intake.create(tenantOf(req), openAIBodyToChatRequest(body), {
      requested_model: requestedModel,
      task: envelope.task,
      min_tier: envelope.min_tier,
      max_tier: envelope.max_tier,
      cache: envelope.cache,
      latency: envelope.latency,
      deadline: envelope.deadline ? (parseDeadline(envelope.deadline) as { at: Date }).at.toISOString() : undefined,
      callback_url: envelope.callback_url,
      metadata: envelope.metadata,
      idempotency_key: idempotencyKey,
    });

    if (envelope.latency === 'sync') {
      const finished = created ? await intake.runNow(job.id) : undefined;
      const current = finished?.kind === 'finished' ? finished.job : ((await store.get(job.tenant, job.id)) ?? job);
      res.setHeader('x-parsimony-job-id', current.id);
      res.status(200).json(toPublicJob(current));
      return;
    }
    // A replay (same idempotency key) of a job still queued may follow a crash between storing the job and
    // queueing it: queue it now. The queue entry's id is the job id, so this is a no-op when it is queued already.
    if (created || job.status === 'queued') await enqueuer.enqueue(job);
    res.setHeader('x-parsimony-job-id', job.id);
    res.status(created ? 202 : 200).json({ id: job.id, object: 'job', status: created ? job.status : (await store.get(job.tenant, job.id))?.status ?? job.status });
  });

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

/** Re-labels schema errors of the embedded chat body as `request.<path>`. */
function prefixIssues<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err && typeof err === 'object' && 'issues' in err) for (const issue of (err as { issues: { path: PropertyKey[] }[] }).issues) issue.path.unshift('request');
    throw err;
  }
}
