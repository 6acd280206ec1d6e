import type { Queue } from 'bullmq';
import { QUEUES, type QueueName } from '../queues/queue-catalog';

/** The BullMQ states worth watching: work waiting, running, parked, and finished ones still kept. */
export const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'waiting-children', 'failed', 'completed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export type QueueDepths = Record<QueueName, Record<QueueState, number>>;

/** Job counts per state of every queue in the queue catalog (one Redis round trip per queue). */
export async function readQueueDepths(queueOf: (name: QueueName) => Queue): Promise<QueueDepths> {
  const names = Object.values(QUEUES);
  const counts = await Promise.all(names.map((name) => queueOf(name).getJobCounts(...QUEUE_STATES)));
  const depths = {} as QueueDepths;
  names.forEach((name, i) => {
    depths[name] = Object.fromEntries(QUEUE_STATES.map((state) => [state, counts[i][state] ?? 0])) as Record<QueueState, number>;
  });
  return depths;
}
