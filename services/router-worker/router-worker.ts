import { DelayedError, Worker } from 'bullmq';
import type { WorkerEnv } from '../../shared/platform/config/env';
import { JobOutboxPump } from '../../shared/core/jobs/job-outbox';
import { JobRunner } from '../../shared/pipeline/job-runner';
import { ProviderCooldownError, ProviderCooldowns } from '../../shared/providers/provider-cooldown';
import { JOB_NAMES, QUEUES } from '../../shared/platform/queues/queue-catalog';
import { queueProcessor } from '../../shared/platform/queues/queue-handlers';
import type { Platform } from '../../shared/runtime/platform';
import { pipelineBackoff } from './pipeline-backoff';
import { CooldownView } from '../../shared/providers/cooldown-view';

/**
 * The router-worker: takes jobs off the pipeline queue and runs them through
 * the pipeline. Provider calls are made once per attempt; BullMQ retries
 * retryable failures with backoff, and re-delivers jobs whose worker died.
 * A provider 429 is not a failure: it starts that provider's cooldown
 * (shared/providers/provider-cooldown.ts) and the job waits it out in the
 * delayed set, as do the provider's other jobs; other providers' jobs go on.
 */
export interface RunningRouterWorker {
  worker: Worker;
  isRunning(): boolean;
  /** Stops taking jobs, lets in-flight ones finish, stops the outbox pump. */
  close(): Promise<void>;
}

/** How stale the worker's view of another process's cooldown may be (a job that calls meanwhile gets the 429 and is delayed). */
const WORKER_COOLDOWN_REFRESH_MS = 50;

export function startRouterWorker(platform: Platform, env: WorkerEnv): RunningRouterWorker {
  const log = platform.log.child({ component: 'router-worker' });
  // The same in-process view of the shared cooldowns the fast path uses, refreshed every 50 ms: one Redis read per
  // provider per 50 ms instead of one PTTL per job; a cooldown this worker records is honoured at once.
  const cooldowns = new CooldownView(new ProviderCooldowns(platform.redis, platform.env.PARSIMONY_QUEUE_PREFIX), WORKER_COOLDOWN_REFRESH_MS);
  const delayed = platform.metrics.providerCooldownDelays;
  // Jobs on their final attempt skip the cooldown and call the provider: the runner fails a retryable error on a
  // final attempt, so bouncing them would fail them without a single call (what they did before cooldowns existed).
  const finalRuns = new Set<string>();
  const { pipeline } = platform.pipeline(1, { cooldownMs: async (provider, ctx) => (finalRuns.has(ctx.job.id) ? 0 : cooldowns.remainingMs(provider)) });
  const runner = new JobRunner(platform.store, pipeline, platform.outcomes, log);

  const worker = new Worker(
    QUEUES.pipeline,
    queueProcessor(QUEUES.pipeline, {
      [JOB_NAMES.runPipeline]: async ({ jobId }, job, token) => {
        const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        if (finalAttempt) finalRuns.add(jobId);
        const result = await runner.run(jobId, { finalAttempt }).finally(() => finalRuns.delete(jobId));
        if (result.kind === 'retry' && result.error.status === 429) {
          // Provider P is rate-limiting us (or still cooling down from it, and was not called): P's cooldown, shared by
          // every worker, keeps its other jobs off it; this one goes back to the delayed set until the cooldown ends,
          // without spending one of its attempts. Other providers' jobs and cache hits keep flowing. The runner has
          // already put the record back to 'queued'.
          const error = result.error;
          const coolingDown = error instanceof ProviderCooldownError;
          const leftMs = coolingDown ? (error.retryAfterMs ?? 0) : await cooldowns.record(error.provider, error.retryAfterMs);
          const delayMs = leftMs + cooldownJitterMs(leftMs);
          await job.moveToDelayed(Date.now() + delayMs, token);
          delayed.inc({ provider: error.provider, reason: coolingDown ? 'cooling_down' : 'rate_limited' });
          log.info(
            { jobId, provider: error.provider, reason: coolingDown ? 'cooling_down' : 'rate_limited', cooldownMs: leftMs, delayMs, attemptsMade: job.attemptsMade },
            'provider rate-limited; job delayed until its cooldown ends (no attempt spent)',
          );
          throw new DelayedError();
        }
        if (result.kind === 'retry') throw result.error;
        return { status: result.job.status };
      },
    }),
    {
      connection: platform.redis,
      prefix: platform.bullPrefix,
      concurrency: env.PARSIMONY_WORKER_CONCURRENCY,
      stalledInterval: env.PARSIMONY_STALLED_INTERVAL_MS,
      lockDuration: env.PARSIMONY_JOB_LOCK_MS,
      // A job whose worker keeps dying is re-delivered a few times before it fails.
      maxStalledCount: 3,
      settings: { backoffStrategy: pipelineBackoff },
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

/**
 * Up to a quarter of the cooldown, at most 1 s: the jobs a cooldown held back
 * do not all call the provider in the same millisecond when it ends.
 */
function cooldownJitterMs(cooldownMs: number): number {
  return Math.floor(Math.random() * Math.min(1_000, cooldownMs / 4));
}
