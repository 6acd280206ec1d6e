import type { BackoffOptions, JobsOptions, Queue } from 'bullmq';
import { JOB_NAMES, type RunPipelinePayload } from './queue-catalog';

/**
 * The one way a stored job goes onto the pipeline queue (the producer's
 * queued jobs, Batch API lines, the batch lever's synchronous fallbacks,
 * routing shadows): the payload is ids only, the BullMQ job id defaults to
 * the job id (queueing twice is a no-op), finished entries are removed and
 * failed ones kept a week.
 */

/** Name of the BullMQ backoff strategy that honours the provider's retry-after (services/router-worker/pipeline-backoff.ts). */
export const PIPELINE_BACKOFF_TYPE = 'provider-aware';

/**
 * Background work yields to interactive work: BullMQ serves jobs without a
 * priority before prioritised ones, so a 100,000-line batch never delays an
 * async job submitted after it.
 */
export const BACKGROUND_PRIORITY = 1000;

export interface PipelineJobOptions {
  /** Attempts (PARSIMONY_JOB_ATTEMPTS). */
  attempts: number;
  /** BullMQ job id. Default the Parsimony job id. */
  queueJobId?: string;
  /** Batch lines and shadows: served after interactive jobs (BACKGROUND_PRIORITY). Default false. */
  background?: boolean;
  /** Default the router-worker's provider-aware backoff. */
  backoff?: BackoffOptions;
}

export interface PipelineQueueJob {
  name: typeof JOB_NAMES.runPipeline;
  data: RunPipelinePayload;
  opts: JobsOptions;
}

/** The queue entry for a stored job (for `queue.addBulk`). */
export function pipelineJob(job: { id: string; tenant: string }, options: PipelineJobOptions): PipelineQueueJob {
  return {
    name: JOB_NAMES.runPipeline,
    data: { jobId: job.id, tenant: job.tenant },
    opts: {
      jobId: options.queueJobId ?? job.id,
      ...(options.background ? { priority: BACKGROUND_PRIORITY } : {}),
      attempts: options.attempts,
      backoff: options.backoff ?? { type: PIPELINE_BACKOFF_TYPE },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  };
}

/** Puts one stored job on the pipeline queue. */
export async function enqueuePipelineJob(queue: Queue, job: { id: string; tenant: string }, options: PipelineJobOptions): Promise<void> {
  const { name, data, opts } = pipelineJob(job, options);
  await queue.add(name, data, opts);
}
