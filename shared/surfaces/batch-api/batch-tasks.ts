import type { Queue } from 'bullmq';
import { JOB_NAMES, type BatchTaskPayload } from '../../platform/queues/queue-catalog';

/**
 * Batch work that must survive a crash (finalize, cancel, feed lines) travels as
 * jobs on the job-events queue, handled by the notifications worker. The job
 * id is per batch, so asking twice while one is pending queues it once.
 */
export class BatchTasks {
  constructor(private readonly queue: Queue) {}

  finalize(batchId: string): Promise<unknown> {
    return this.add(JOB_NAMES.finalizeBatch, batchId, `finalize-${batchId}`);
  }

  cancel(batchId: string): Promise<unknown> {
    return this.add(JOB_NAMES.cancelBatch, batchId, `cancel-${batchId}`);
  }

  feed(batchId: string): Promise<unknown> {
    return this.add(JOB_NAMES.feedBatch, batchId, `feed-${batchId}`);
  }

  private add(name: string, batchId: string, jobId: string): Promise<unknown> {
    const payload: BatchTaskPayload = { batchId };
    return this.queue.add(name, payload, {
      jobId,
      attempts: 8,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: true,
      removeOnFail: { age: 24 * 3600 },
    });
  }
}
