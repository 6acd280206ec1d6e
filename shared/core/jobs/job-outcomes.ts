import type { ChatResponse } from '../chat-model';
import { surfaceResponseBody } from '../../surfaces/response-bodies';
export { completionId } from '../../surfaces/response-bodies';
import { savingsIncrements } from '../accounting/savings-ledger';
import type { JobCost, JobError, JobRecord, JobStatus, RouteDecision } from './job-record';
import type { AtomicEffect, JobStore, TransitionResult } from './job-store';
import { finishedOutboxKey } from './job-outbox';
import { observeJobOutcome } from '../../platform/metrics/job-metrics';

export interface Completion {
  response: ChatResponse;
  cost: JobCost;
  /** The stage or path that delivered the answer ("execute", "cache", "batch", …). */
  deliveredBy: string;
  route?: RouteDecision;
  annotations?: Record<string, unknown>;
  /** The caller's body when the answer is not a chat response (embeddings); otherwise built by the job's surface. */
  body?: Record<string, unknown>;
}

/**
 * The only way a job reaches a final status. Each outcome is one atomic
 * compare-and-set that also updates the savings aggregates and, when someone
 * waits for the job (a callback URL, a Parsimony batch), pushes it to the
 * finished-jobs outbox, so no event is lost between two writes.
 */
export class JobOutcomes {
  constructor(
    private readonly store: JobStore,
    private readonly prefix: string,
  ) {}

  /** `known`: the caller's copy of the record, to save a read (see JobStore.transition). */
  complete(jobId: string, from: readonly JobStatus[], completion: Completion, known?: JobRecord): Promise<TransitionResult> {
    return this.store
      .transition(
        jobId,
        from,
        'completed',
        (job) => {
          if (completion.route) job.route = completion.route;
          job.result = completion.response;
          job.response =
            completion.body ??
            surfaceResponseBody(job.options.surface, completion.response, job.id, job.route?.model ?? completion.response.model, {
              request: job.request,
              options: job.options,
              createdAt: Math.floor(Date.parse(job.created_at) / 1000),
            });
          job.usage = completion.response.usage;
          job.cost = completion.cost;
          job.delivered_by = completion.deliveredBy;
          job.annotations = { ...job.annotations, ...completion.annotations };
          job.completed_at = new Date().toISOString();
        },
        (job) => [...savingsIncrements(this.prefix, job), ...this.outbox(job)],
        known,
      )
      .then(observeJobOutcome);
  }

  fail(jobId: string, from: readonly JobStatus[], error: JobError, route?: RouteDecision): Promise<TransitionResult> {
    return this.store
      .transition(
        jobId,
        from,
        'failed',
        (job) => {
          job.route = route ?? job.route;
          job.error = error;
          job.completed_at = new Date().toISOString();
        },
        (job) => this.outbox(job),
      )
      .then(observeJobOutcome);
  }

  cancel(jobId: string, from: readonly JobStatus[]): Promise<TransitionResult> {
    return this.store.transition(
      jobId,
      from,
      'cancelled',
      (job) => {
        job.completed_at = new Date().toISOString();
      },
      (job) => this.outbox(job),
    );
  }

  private outbox(job: JobRecord): AtomicEffect[] {
    return job.options.callback_url || job.options.batch_id ? [{ key: finishedOutboxKey(this.prefix), push: job.id }] : [];
  }
}
