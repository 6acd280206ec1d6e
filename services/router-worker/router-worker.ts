import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { WorkerEnv } from '../../shared/config/env';
import { JobOutboxPump } from '../../shared/jobs/job-outbox';
import { JobRunner } from '../../shared/pipeline/job-runner';
import { QUEUES, RunPipelinePayload } from '../../shared/queues/queue-catalog';
import type { Platform } from '../../shared/runtime/platform';
import { pipelineBackoff } from './pipeline-backoff';

/**
 * The router-worker: takes jobs off the pipeline queue and runs them through
 * the pipeline. Provider calls are made once per attempt; BullMQ retries
 * retryable failures with backoff, and re-delivers jobs whose worker died.
 */
export interface RunningRouterWorker {
  worker: Worker;
  isRunning(): boolean;
  /** Stops taking jobs, lets in-flight ones finish, stops the outbox pump. */
  close(): Promise<void>;
}

/** How long the queue pauses after a provider 429 that carried no retry-after, ms. */
const RATE_LIMIT_FALLBACK_MS = 1_000;

export function startRouterWorker(platform: Platform, env: WorkerEnv): RunningRouterWorker {
  const log = platform.log.child({ component: 'router-worker' });
  const { pipeline } = platform.pipeline(1);
  const runner = new JobRunner(platform.store, pipeline, platform.outcomes, log);

  const worker = new Worker(
    QUEUES.pipeline,
    async (job: Job) => {
      const payload = RunPipelinePayload.safeParse(job.data);
      if (!payload.success) throw new UnrecoverableError(`malformed pipeline payload: ${payload.error.message}`);
      const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const result = await runner.run(payload.data.jobId, { finalAttempt });
      if (result.kind === 'retry' && result.error.status === 429) {
        // The provider is rate-limiting us: slow the whole queue down for its retry-after and put the job back
        // without spending one of its attempts, instead of burning retries against a closed door.
        await worker.rateLimit(result.error.retryAfterMs ?? RATE_LIMIT_FALLBACK_MS);
        throw Worker.RateLimitError();
      }
      if (result.kind === 'retry') throw result.error;
      return { status: result.job.status };
    },
    {
      connection: platform.redis,
      prefix: platform.bullPrefix,
      concurrency: env.PARSIMONY_WORKER_CONCURRENCY,
      stalledInterval: env.PARSIMONY_STALLED_INTERVAL_MS,
      lockDuration: env.PARSIMONY_JOB_LOCK_MS,
      // A job whose worker keeps dying is re-delivered a few times before it fails.
      maxStalledCount: 3,
      settings: { backoffStrategy: pipelineBackoff },
      // Manual rate limiting (a provider 429) only takes effect with a limiter set; this one never limits by itself.
      limiter: { max: 1_000_000, duration: 1_000 },
    },
  );
  worker.on('error', (err) => log.warn({ err: { message: err.message } }, 'worker error'));
  worker.on('failed', (job, err) => {
    if (!job) return;
    log.warn({ jobId: job.data?.jobId, attemptsMade: job.attemptsMade, err: { message: err.message } }, 'pipeline attempt failed');
    // BullMQ gave up on the job (stalled too often: its workers kept dying; or an error outside the pipeline on the
    // last attempt): end its record too, or it would say queued/running forever. A record that already ended is
    // left alone (compare-and-set).
    const jobId = typeof job.data?.jobId === 'string' ? job.data.jobId : undefined;
    if (job.finishedOn && jobId)
      void platform.outcomes
        .fail(jobId, ['queued', 'running'], { type: 'internal_error', message: `Parsimony gave up on the job: ${err.message}` })
        .catch((e: Error) => log.error({ jobId, err: { message: e.message } }, 'could not record a job BullMQ gave up on'));
  });
  // Finished-job events (callbacks, Parsimony batches) leave the outbox from here.
  const pumpConnection = platform.redis.duplicate();
  pumpConnection.on('error', () => undefined);
  const pump = new JobOutboxPump(pumpConnection, platform.env.PARSIMONY_QUEUE_PREFIX, platform.queue(QUEUES.jobEvents), log);
  pump.start();
  return {
    worker,
    isRunning: () => worker.isRunning(),
    close: async () => {
      await worker.close();
      await pump.stop();
      pumpConnection.disconnect();
    },
  };
}
