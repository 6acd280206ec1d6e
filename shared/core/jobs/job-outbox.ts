import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { JOB_NAMES, type JobFinishedPayload } from '../../platform/queues/queue-catalog';

export function finishedOutboxKey(prefix: string): string {
  return `${prefix}:outbox:job-finished`;
}

/**
 * Moves finished-job events from the Redis outbox (written atomically with
 * the status change) into the job-events queue. Crash-safe: an id is moved to
 * a processing list before it is queued and removed only after; on start,
 * whatever a dead pump left there is queued again. The BullMQ job id is
 * derived from the job id, so queueing twice is harmless.
 */
export class JobOutboxPump {
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly queue: Queue,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private get processingKey(): string {
    return `${finishedOutboxKey(this.prefix)}:processing`;
  }

  private async run(): Promise<void> {
    try {
      for (const jobId of await this.redis.lrange(this.processingKey, 0, -1)) await this.forward(jobId);
    } catch (err) {
      this.log.warn({ err }, 'outbox recovery failed; will retry items as they come');
    }
    while (this.running) {
      try {
        // A short block keeps shutdown quick.
        const jobId = await this.redis.blmove(finishedOutboxKey(this.prefix), this.processingKey, 'RIGHT', 'LEFT', 1);
        if (jobId) await this.forward(jobId);
      } catch (err) {
        if (!this.running) break;
        this.log.warn({ err: { message: (err as Error).message } }, 'outbox pump error; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async forward(jobId: string): Promise<void> {
    const payload: JobFinishedPayload = { jobId };
    await this.queue.add(JOB_NAMES.jobFinished, payload, {
      jobId: `finished-${jobId}`,
      attempts: 10,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
    await this.redis.lrem(this.processingKey, 1, jobId);
  }
}
