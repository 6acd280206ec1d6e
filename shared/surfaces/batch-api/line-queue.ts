import type { Queue } from 'bullmq';
import { pipelineJob } from '../../platform/queues/pipeline-jobs';

/** Batch lines yield to interactive work (shared/platform/queues/pipeline-jobs.ts). */
export { BACKGROUND_PRIORITY as BATCH_LINE_PRIORITY } from '../../platform/queues/pipeline-jobs';

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
    await queue.addBulk(jobs.map((job) => pipelineJob(job, { attempts: options.attempts, background: true, backoff: { type: options.backoffType } })));
  };
}

/** Jobs waiting in the pipeline queue (not yet taken by a worker). */
export async function waitingCount(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts('wait', 'prioritized');
  return (counts.wait ?? 0) + (counts.prioritized ?? 0);
}
