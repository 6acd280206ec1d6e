import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { ApiError } from '../../shared/core/errors/api-error';
import type { JobRecord } from '../../shared/core/jobs/job-record';
import type { JobOutcomes } from '../../shared/core/jobs/job-outcomes';
import { enqueuePipelineJob, pipelineJob } from '../../shared/platform/queues/pipeline-jobs';

/**
 * Hands stored jobs to the router-worker through the pipeline queue. The
 * BullMQ job id is the Parsimony job id, so enqueueing twice is a no-op.
 */
export class JobEnqueuer {
  constructor(
    private readonly queue: Queue,
    private readonly outcomes: JobOutcomes,
    private readonly attempts: number,
    private readonly log: Logger,
  ) {}

  async enqueue(job: JobRecord): Promise<void> {
    try {
      await enqueuePipelineJob(this.queue, job, { attempts: this.attempts });
    } catch (err) {
      // The record exists but no worker will see it: fail it rather than leave it queued forever.
      this.log.error({ err, jobId: job.id }, 'could not enqueue job');
      await this.outcomes.fail(job.id, ['queued'], { type: 'service_unavailable', message: 'the job could not be queued; submit it again' }).catch(() => undefined);
      throw ApiError.unavailable('Parsimony could not queue the job right now; retry shortly');
    }
  }

  /** Queues many stored jobs with one `addBulk` (one round trip); on failure fails them all, like `enqueue`. */
  async enqueueMany(jobs: JobRecord[]): Promise<void> {
    if (jobs.length === 0) return;
    try {
      await this.queue.addBulk(jobs.map((job) => pipelineJob(job, { attempts: this.attempts })));
    } catch (err) {
      this.log.error({ err, jobs: jobs.length }, 'could not enqueue a bulk submission');
      await Promise.all(jobs.map((job) => this.outcomes.fail(job.id, ['queued'], { type: 'service_unavailable', message: 'the job could not be queued; submit it again' }).catch(() => undefined)));
      throw ApiError.unavailable('Parsimony could not queue the jobs right now; retry shortly');
    }
  }

  async remove(jobId: string): Promise<void> {
    try {
      await this.queue.remove(jobId);
    } catch (err) {
      // A locked (running) job cannot be removed; the worker sees the cancelled record and skips it.
      this.log.debug({ err, jobId }, 'queue entry not removed');
    }
  }
}
