import type { Logger } from 'pino';
import type { Catalog } from '../catalog/catalog';
import { CostLedger } from '../cost/cost-ledger';
import type { JobRecord } from '../jobs/job-record';
import type { ChatRequest, ChatResponse } from '../messages/chat-model';
import type { Pipeline } from './pipeline';
import type { PipelineContext } from './stage';

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
 * - the cache stage's own state: replayed, see below.
 *
 * The cache stage keeps what it needs for its store (lookup key, resolved
 * options, single-flight ticket) in memory, keyed by the context object, from
 * run() to afterComplete; that state never reaches Redis, so it is rebuilt by
 * running the stage's run() again on the request it saw the first time (the
 * client's request with the routed model: validate and route are the only
 * stages before it). The replay costs one more lookup (an embedding for a
 * semantic-eligible request, not charged to the job, which is priced
 * already), and may wait for an identical request in flight (single-flight),
 * then store nothing: that one stores the answer. A cache stage that stored
 * its plan on the job at deferral would need no replay.
 */

/** Stages whose run() is replayed before their afterComplete, and when. */
const REPLAYED: Record<string, (job: JobRecord) => ChatRequest | undefined> = {
  // Only when the first run planned a store (a miss); a bypass (cache off, lookup error) stores nothing.
  cache: (job) => ((job.annotations?.cache as { status?: string } | undefined)?.status === 'miss' ? requestAtRouting(job) : undefined),
};

/** The request as the stages right after routing saw it: the client's request on the routed model. */
export function requestAtRouting(job: JobRecord): ChatRequest | undefined {
  return job.route ? { ...job.request, model: job.route.model } : undefined;
}

/** The request stage `stage` must run on again before its afterComplete hook, or undefined when it needs no replay. */
export function replayedRequest(stage: string, job: JobRecord): ChatRequest | undefined {
  return REPLAYED[stage]?.(job);
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
    await pipeline.settleReplaying(ctx, response, (stage) => replayedRequest(stage, job));
  } catch (err) {
    ctx.log.warn({ err: { message: (err as Error).message } }, 'after-complete hooks of a batch-answered job failed');
  }
}
