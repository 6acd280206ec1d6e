import { Router } from 'express';
import { ApiError } from '../../../shared/core/errors/api-error';
import { parseDeadline } from '../../../shared/core/jobs/deadline';
import { toPublicJob } from '../../../shared/core/jobs/job-record';
import type { JobStore } from '../../../shared/core/jobs/job-store';
import type { JobOutcomes } from '../../../shared/core/jobs/job-outcomes';
import type { PendingPool } from '../../../shared/levers/batch/pending-pool';
import { SURFACE_DEFINITIONS, surfaceForPath, type SurfaceDefinition } from '../../../shared/surfaces/registry';
import type { PreviousResponseLookup } from '../../../shared/surfaces/responses/response-store';
import { CallbackRefusedError } from '../../../shared/platform/webhooks/ssrf-guard';
import type { JobEnqueuer } from '../job-enqueuer';
import type { JobIntake } from '../job-intake';
import { tenantOf } from '../http/authenticate';
import { JobEnvelopeSchema, type JobEnvelope } from '../jobs-envelope';

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
  /** Stored Responses, so a Responses job may continue one with previous_response_id. */
  previousResponses?: PreviousResponseLookup,
): Router {
  const router = Router();

  router.post('/v1/jobs', async (req, res) => {
    const envelope = JobEnvelopeSchema.parse(req.body ?? undefined);
    const headerKey = req.get('idempotency-key');
    if (headerKey && envelope.idempotency_key && headerKey !== envelope.idempotency_key)
      throw ApiError.invalid('Idempotency-Key header and idempotency_key field differ; send one of them');
    const idempotencyKey = envelope.idempotency_key ?? headerKey;
    const surface = surfaceOf(envelope);
    const tenant = tenantOf(req);
    const requestedModel = envelope.model ?? (typeof envelope.request.model === 'string' ? envelope.request.model : 'auto');
    const parsed = await prefixIssues(() => surface.parse({ ...envelope.request, model: requestedModel }, { tenant, previousResponses }));
    if (parsed.stream) throw ApiError.invalid(`request.stream: jobs cannot stream; use POST ${surface.path} for a streamed answer`);
    if (envelope.callback_url)
      await checkCallback(envelope.callback_url).catch((err: unknown) => {
        throw err instanceof CallbackRefusedError ? ApiError.invalid(`callback_url ${err.message}`) : err;
      });

    const { job, created } = await intake.create(tenant, parsed.request, {
      requested_model: requestedModel,
      // The envelope's hints win over the body's (a chat body's `parsimony` object).
      task: envelope.task ?? parsed.hints?.task,
      min_tier: envelope.min_tier ?? parsed.hints?.min_tier,
      max_tier: envelope.max_tier ?? parsed.hints?.max_tier,
      cache: envelope.cache ?? parsed.hints?.cache,
      surface: surface.surface,
      ...(parsed.echo ? { surface_echo: parsed.echo } : {}),
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

/** The surface an envelope names (by name or path); chat completions when it names none. */
function surfaceOf(envelope: JobEnvelope): SurfaceDefinition {
  const byPath = envelope.endpoint === undefined ? undefined : surfaceForPath(envelope.endpoint);
  const runnable = Object.values(SURFACE_DEFINITIONS).map((d) => `"${d!.path}"`).join(', ');
  if (envelope.endpoint !== undefined && !byPath) throw ApiError.invalid(`endpoint: "${envelope.endpoint}" does not run as a job; jobs run ${runnable}`);
  const byName = envelope.surface === undefined ? undefined : SURFACE_DEFINITIONS[envelope.surface];
  // Embeddings answer outside the chat pipeline (only synchronously, at POST /v1/embeddings).
  if (envelope.surface !== undefined && !byName) throw ApiError.invalid(`surface: "${envelope.surface}" does not run as a job; jobs run ${runnable}`);
  if (byPath && byName && byPath !== byName) throw ApiError.invalid(`surface "${envelope.surface}" and endpoint "${envelope.endpoint}" differ; send one of them`);
  return byPath ?? byName ?? SURFACE_DEFINITIONS.chat_completions!;
}

/** Re-labels schema errors of the embedded body as `request.<path>`. */
async function prefixIssues<T>(parse: () => T | Promise<T>): Promise<T> {
  try {
    return await parse();
  } catch (err) {
    if (err && typeof err === 'object' && 'issues' in err) for (const issue of (err as { issues: { path: PropertyKey[] }[] }).issues) issue.path.unshift('request');
    throw err;
  }
}
