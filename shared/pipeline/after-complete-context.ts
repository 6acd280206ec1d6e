import type { Logger } from 'pino';
import type { Catalog } from '../core/catalog/catalog';
import { CostLedger } from '../core/accounting/cost-ledger';
import type { JobRecord } from '../core/jobs/job-record';
import type { ChatRequest, ChatResponse } from '../core/chat-model';
import type { Pipeline } from './pipeline';
import type { PipelineContext } from '../core/stage';

/**
 * The after-completion hooks of a job that a provider batch answered. The
 * synchronous paths run `Pipeline.settle` on the very context the stages
 * filled in; a deferred job completes in the batch-submitter, hours later and
 * in another process, so its context is rebuilt from what the defer stage
 * stored on the record (DeferralSink.park):
 *
 * - ctx.job (id, tenant, options: requested_model, task, cache, metadata with
 *   session_id and cache_tags): the record itself;
 * - ctx.route (tier, model, task): record.route, stored at deferral;
 * - ctx.model: the catalog entry of record.route.model;
 * - ctx.request, as the levers shaped it (the shadow launcher sends it to the
 *   frontier): record.deferred.request, what the provider batch was sent;
 * - ctx.annotations (cache hit or miss, escalation): record.annotations;
 * - what a stage keeps in memory between run() and afterComplete (the cache
 *   stage's store plan): rebuilt by the stage's own `restore`, from the
 *   request as that stage saw it — for the cache stage, right after routing,
 *   the client's request on the routed model (validate and route are the only
 *   stages before it). No second lookup, no embedding, no single-flight wait.
 */

/** The request as the stages right after routing saw it: the client's request on the routed model. */
export function requestAtRouting(job: JobRecord): ChatRequest | undefined {
  return job.route ? { ...job.request, model: job.route.model } : undefined;
}

/**
 * A pipeline context for the hooks of a deferred job, from its record as it
 * was before completion (`deferred` still set). The ledger is the one stored
 * at deferral, marked batched; it is not priced again (the job already is).
 */
export function deferredContext(job: JobRecord, catalog: Catalog, log: Logger): PipelineContext {
  const ledger = CostLedger.fromJSON(job.deferred?.ledger);
  ledger.batched = true;
  return {
    job,
    request: job.deferred?.request ?? requestAtRouting(job) ?? job.request,
    route: job.route,
    model: job.route ? catalog.find(job.route.model) : undefined,
    ledger,
    annotations: structuredClone(job.annotations ?? {}),
    log: log.child({ jobId: job.id, tenant: job.tenant }),
  };
}

/**
 * Runs the stages' after-completion hooks for a job a provider batch answered
 * (`job`: its record before completion). Never throws: a hook failure is
 * logged, the job stays completed.
 */
export async function settleDeferred(pipeline: Pipeline, catalog: Catalog, log: Logger, job: JobRecord, response: ChatResponse): Promise<void> {
  const ctx = deferredContext(job, catalog, log);
  try {
    // Stages before the cache only route; later ones shape the request, and the record keeps only the final shape.
    const atRouting = requestAtRouting(job) ?? ctx.request;
    await pipeline.settleRestored(ctx, response, (stage) => (stage === 'cache' ? atRouting : ctx.request));
  } catch (err) {
    ctx.log.warn({ err: { message: (err as Error).message } }, 'after-complete hooks of a batch-answered job failed');
  }
}
