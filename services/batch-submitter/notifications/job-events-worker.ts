import { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { BatchFeeder } from '../../../shared/surfaces/batch-api/batch-feeder';
import type { BatchFinalizer } from '../../../shared/surfaces/batch-api/batch-finalizer';
import type { BatchStore } from '../../../shared/surfaces/batch-api/batch-store';
import type { BatchTasks } from '../../../shared/surfaces/batch-api/batch-tasks';
import { cancelLines } from '../../../shared/surfaces/batch-api/cancel-lines';
import { toPublicJob, type JobRecord } from '../../../shared/core/jobs/job-record';
import { JOB_NAMES, QUEUES } from '../../../shared/platform/queues/queue-catalog';
import { queueProcessor } from '../../../shared/platform/queues/queue-handlers';
import type { Platform } from '../../../shared/runtime/platform';
import type { WebhookDispatcher } from '../../../shared/platform/webhooks/webhook-dispatcher';
import { JOB_EVENT_TYPES } from '../../../shared/platform/webhooks/webhook-events';

export interface JobEventsDeps {
  platform: Platform;
  batches: BatchStore;
  finalizer: BatchFinalizer;
  feeder: BatchFeeder;
  /** True once the worker is closing: a feeder stops (the sweeper restarts it elsewhere). */
  closing: () => boolean;
  tasks: BatchTasks;
  dispatcher: WebhookDispatcher;
  /** How long a batch's "lines counted" set may live, seconds. */
  countTtlSeconds: number;
  concurrency: number;
  log: Logger;
}

/**
 * Consumes the job-events queue: finished jobs (from the outbox), and the
 * batch tasks (finalize, cancel, feed). A finished job fires its callback webhook
 * and, for a batch line, is counted into its batch (once, however often the
 * event arrives); the last line queues the batch's finalization.
 */
export function startJobEventsWorker(deps: JobEventsDeps): Worker {
  const { platform, log } = deps;
  const worker = new Worker(
    QUEUES.jobEvents,
    queueProcessor(QUEUES.jobEvents, {
      [JOB_NAMES.jobFinished]: ({ jobId }) => onJobFinished(deps, jobId),
      [JOB_NAMES.finalizeBatch]: ({ batchId }) => deps.finalizer.run(batchId),
      [JOB_NAMES.cancelBatch]: ({ batchId }) => onCancelBatch(deps, batchId),
      [JOB_NAMES.feedBatch]: ({ batchId }) => deps.feeder.run(batchId, deps.closing),
    }),
    { connection: platform.redis, prefix: platform.bullPrefix, concurrency: deps.concurrency },
  );
  worker.on('error', (err) => log.warn({ err: { message: err.message } }, 'job-events worker error'));
  worker.on('failed', (job, err) => {
    if (job) log.warn({ name: job.name, data: job.data, attemptsMade: job.attemptsMade, err: { message: err.message } }, 'job-events task failed');
  });
  return worker;
}

async function onJobFinished(deps: JobEventsDeps, jobId: string): Promise<string> {
  const job = await deps.platform.store.load(jobId);
  if (!job) return 'gone';
  const outcome = job.status;
  if (outcome !== 'completed' && outcome !== 'failed' && outcome !== 'cancelled') return 'not_final';
  if (job.options.callback_url) await emitJobEvent(deps, job, outcome);
  const batchId = job.options.batch_id;
  if (batchId) {
    const progress = await deps.batches.recordLine(batchId, job.id, outcome, deps.countTtlSeconds);
    if (progress.opened && (progress.status === 'in_progress' || progress.status === 'cancelling') && progress.completed + progress.failed >= progress.total) await deps.tasks.finalize(batchId);
  }
  return outcome;
}

function emitJobEvent(deps: JobEventsDeps, job: JobRecord, outcome: 'completed' | 'failed' | 'cancelled'): Promise<string> {
  return deps.dispatcher.emit({
    tenant: job.tenant,
    url: job.options.callback_url!,
    type: JOB_EVENT_TYPES[outcome],
    subject: { object: 'job', id: job.id },
    data: toPublicJob(job),
  });
}

/** Cancels the lines that have not run; their events then settle the batch as cancelled. */
async function onCancelBatch(deps: JobEventsDeps, batchId: string): Promise<number | string> {
  const batch = await deps.batches.load(batchId);
  if (!batch || batch.status !== 'cancelling') return 'not_cancelling';
  const cancelled = await cancelLines(deps.batches, deps.platform.outcomes, batchId, ['queued', 'deferred']);
  await deps.batches.markLinesCancelled(batchId);
  // Nothing left to settle (every line had finished already): end it now.
  await deps.tasks.finalize(batchId);
  return cancelled;
}
