import type { Logger } from 'pino';
import { ApiError } from '../core/errors/api-error';
import { ProviderError } from '../core/errors/provider-error';
import { CostLedger } from '../core/accounting/cost-ledger';
import type { StreamEvent } from '../core/chat-model';
import type { JobError, JobRecord } from '../core/jobs/job-record';
import type { JobStore } from '../core/jobs/job-store';
import type { JobOutcomes } from '../core/jobs/job-outcomes';
import type { Pipeline } from './pipeline';
import type { PipelineContext } from '../core/stage';

export interface RunOptions {
  /** Fast-path streaming sink; `model` is the catalog model the job was routed to (the one answering). */
  onStreamEvent?: (event: StreamEvent, model: string | undefined) => void;
  signal?: AbortSignal;
  /** When false, a retryable failure leaves the job queued for another attempt instead of failing it. */
  finalAttempt: boolean;
}

export type RunResult =
  | { kind: 'finished'; job: JobRecord; ctx?: PipelineContext }
  /** A retryable failure on a non-final attempt: the caller (BullMQ) retries. */
  | { kind: 'retry'; error: ProviderError };

/**
 * Runs one stored job through the pipeline and records the outcome. Used by
 * both the fast path and the router-worker. Every status change is a
 * compare-and-set on the record, so a job delivered twice (a worker died, a
 * stalled job was re-queued) still ends with exactly one result.
 */
export class JobRunner {
  constructor(
    private readonly store: JobStore,
    private readonly pipeline: Pipeline,
    private readonly outcomes: JobOutcomes,
    private readonly log: Logger,
  ) {}

  /**
   * Runs a job. `fastPathJob` is a record the fast path has just stored as
   * 'running' itself: it skips the start transition and the reads, which is
   * most of the fast path's own latency.
   */
  async run(jobId: string, options: RunOptions, fastPathJob?: JobRecord): Promise<RunResult> {
    const started = fastPathJob
      ? { ok: true as const, job: fastPathJob }
      : await this.store.transition(jobId, ['queued', 'running'], 'running', (job) => {
          job.attempts += 1;
          job.started_at ??= new Date().toISOString();
        });
    if (!started.ok) {
      if (!started.job) throw new Error(`job ${jobId} not found (expired or never stored)`);
      // Already finished, cancelled or deferred: nothing to do, and no second provider call.
      return { kind: 'finished', job: started.job };
    }
    const job = started.job;
    const ctx: PipelineContext = {
      job,
      request: job.request,
      ledger: new CostLedger(),
      annotations: {},
      onStreamEvent: options.onStreamEvent && ((event: StreamEvent) => options.onStreamEvent!(event, ctx.route?.model ?? ctx.model?.id)),
      log: this.log.child({ jobId: job.id, tenant: job.tenant }),
      signal: options.signal,
    };
    try {
      const result = await this.pipeline.run(ctx);
      if (result.kind === 'defer') {
        // Answered later by the batch-submitter, not by this run: stages let go of what they hold for it
        // (the cache's single-flight lock, so identical jobs do not wait on a provider batch).
        void this.pipeline.settleFailure(ctx);
        const deferred = await this.store.transition(job.id, ['running'], 'deferred', (record) => {
          record.route = ctx.route;
          record.annotations = { ...record.annotations, ...ctx.annotations };
        });
        return { kind: 'finished', job: deferred.job ?? job, ctx };
      }
      const completed = await this.outcomes.complete(
        job.id,
        ['running'],
        {
          response: result.response,
          cost: result.cost,
          deliveredBy: result.deliveredBy,
          route: ctx.route,
          annotations: ctx.annotations,
          // The record this run moved to 'running' (saves a read; a re-delivered twin racing it still loses the compare-and-set).
        },
        job,
      );
      if (completed.ok) ctx.log.info({ model: ctx.route?.model, deliveredBy: result.deliveredBy, cost: result.cost.actual_usd }, 'job completed');
      else ctx.log.warn({ status: completed.job?.status }, 'job finished elsewhere first; keeping the stored result');
      const finishedJob = completed.job ?? job;
      if (completed.ok) void this.pipeline.settle(ctx, result.response);
      return { kind: 'finished', job: finishedJob, ctx };
    } catch (err) {
      void this.pipeline.settleFailure(ctx);
      const retryable = err instanceof ProviderError && err.retryable;
      if (retryable && !options.finalAttempt) {
        await this.store.transition(job.id, ['running'], 'queued');
        ctx.log.warn({ status: err.status }, 'provider call failed; job will be retried');
        return { kind: 'retry', error: err };
      }
      const error = toJobError(err);
      if (!(err instanceof ApiError) && !(err instanceof ProviderError)) ctx.log.error({ err }, 'job failed unexpectedly');
      else ctx.log.warn({ error }, 'job failed');
      const failed = await this.outcomes.fail(job.id, ['running'], error, ctx.route);
      return { kind: 'finished', job: failed.job ?? job, ctx };
    }
  }
}

/** A thrown error as the job records it. */
export function toJobError(err: unknown): JobError {
  if (err instanceof ProviderError) return err.toJobError();
  if (err instanceof ApiError) return { type: err.type, message: err.message };
  return { type: 'internal_error', message: err instanceof Error ? err.message : String(err) };
}
