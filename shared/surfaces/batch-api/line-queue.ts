import type { Queue } from 'bullmq';
import { JOB_NAMES, type RunPipelinePayload } from '../../platform/queues/queue-catalog';

/**
 * Batch lines yield to interactive work: BullMQ serves jobs without a
 * priority before prioritised ones, so a 100,000-line batch never delays an
 * async job submitted after it.
 */
export const BATCH_LINE_PRIORITY = 1000;

export interface LineQueueOptions {
  /** Attempts per line job (PARSIMONY_JOB_ATTEMPTS). */
  attempts: number;
  /** The router-worker's backoff strategy name. */
  backoffType: string;
}

/** Puts stored line jobs on the pipeline queue; the BullMQ job id is the job id, so queueing twice is a no-op. */
export type LineEnqueuer = (jobs: { id: string; tenant: string }[]) => Promise<void>;

export function lineEnqueuer(queue: Queue, options: LineQueueOptions): LineEnqueuer {
  return async (jobs) => {
    if (!jobs.length) return;
    await queue.addBulk(
      jobs.map((job) => ({
        name: JOB_NAMES.runPipeline,
        data: { jobId: job.id, tenant: job.tenant } satisfies RunPipelinePayload,
        opts: {
          jobId: job.id,
          priority: BATCH_LINE_PRIORITY,
          attempts: options.attempts,
          backoff: { type: options.backoffType },
          removeOnComplete: true,
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      })),
    );
  };
}

/** Jobs waiting in the pipeline queue (not yet taken by a worker). */
export async function waitingCount(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts('wait', 'prioritized');
  return (counts.wait ?? 0) + (counts.prioritized ?? 0);
}
