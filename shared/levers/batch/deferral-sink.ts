import type { Redis } from 'ioredis';
import { JobStore } from '../../core/jobs/job-store';
import type { PipelineContext } from '../../core/stage';
import { BatchKeys } from './batch-keys';

/**
 * Parks a job for the batch-submitter, in one atomic step: status
 * running → deferred, the shaped request and the cost ledger stored on the
 * record (what finishing it later needs), and the job id pushed to the
 * submitter's inbox. So a deferred job is always in the inbox and never
 * half-parked, whatever crashes when.
 */
export class DeferralSink {
  private readonly store: JobStore;
  private readonly keys: BatchKeys;

  constructor(redis: Redis, prefix: string) {
    // Retention only applies to final statuses; 'deferred' keeps the record's TTL.
    this.store = new JobStore(redis, { prefix, retentionSeconds: 1 });
    this.keys = new BatchKeys(prefix);
  }

  /** False when the job was no longer running (finished elsewhere): nothing was parked. */
  async park(ctx: PipelineContext, reason: string): Promise<boolean> {
    const at = new Date().toISOString();
    const result = await this.store.transition(
      ctx.job.id,
      ['running'],
      'deferred',
      (job) => {
        if (ctx.route) job.route = ctx.route;
        job.annotations = { ...job.annotations, ...ctx.annotations };
        job.deferred = { request: ctx.request, ledger: ctx.ledger.toJSON(), reason, at };
      },
      (job) => [{ key: this.keys.inbox, push: job.id }],
    );
    return result.ok;
  }
}
