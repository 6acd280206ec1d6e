import { UnrecoverableError, type Job } from 'bullmq';
import type { z } from 'zod';
import { PAYLOAD_SCHEMAS, type QUEUE_JOBS, type QueueName } from './queue-catalog';

/** The job names a queue carries. */
export type JobsOf<Q extends QueueName> = (typeof QUEUE_JOBS)[Q][number];

/** The parsed payload of a job name. */
export type PayloadOf<N extends keyof typeof PAYLOAD_SCHEMAS> = z.infer<(typeof PAYLOAD_SCHEMAS)[N]>;

/** The handler of one job: its parsed payload, and the BullMQ job (attempts, token, moveToDelayed). */
export type JobHandler<N extends keyof typeof PAYLOAD_SCHEMAS> = (payload: PayloadOf<N>, job: Job, token?: string) => Promise<unknown>;

/** One handler per job the queue carries: leaving one out (or handling a job of another queue) is a compile error. */
export type QueueHandlers<Q extends QueueName> = { [N in JobsOf<Q>]: JobHandler<N> };

/**
 * A BullMQ processor for queue `Q` from its handler map: each job's payload
 * is checked with its schema (safeParse) when it is dequeued; a malformed
 * payload or an unknown job name fails the job for good (UnrecoverableError:
 * retrying cannot fix it).
 */
export function queueProcessor<Q extends QueueName>(queue: Q, handlers: QueueHandlers<Q>): (job: Job, token?: string) => Promise<unknown> {
  const table = handlers as Record<string, (payload: unknown, job: Job, token?: string) => Promise<unknown>>;
  return async (job, token) => {
    const handler = Object.hasOwn(table, job.name) ? table[job.name] : undefined;
    if (!handler) throw new UnrecoverableError(`unknown job ${job.name} on the ${queue} queue`);
    const schema: z.ZodType = PAYLOAD_SCHEMAS[job.name as keyof typeof PAYLOAD_SCHEMAS];
    const payload = schema.safeParse(job.data);
    if (!payload.success) throw new UnrecoverableError(`malformed ${job.name} payload: ${payload.error.message}`);
    return handler(payload.data, job, token);
  };
}
