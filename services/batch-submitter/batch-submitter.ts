import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { BatchEngine, type BatchEngineDeps } from '../../shared/levers/batch/batch-engine';
import { BATCH_PROVIDERS, BatchProviderRegistry } from '../../shared/providers/registry';
import type { BatchEnv } from '../../shared/platform/config/env';
import type { JobRecord } from '../../shared/core/jobs/job-record';
import { JOB_NAMES, QUEUES } from '../../shared/platform/queues/queue-catalog';
import { queueProcessor } from '../../shared/platform/queues/queue-handlers';
import type { Platform } from '../../shared/runtime/platform';
import { settleDeferred } from '../../shared/pipeline/after-complete-context';
import { enqueuePipelineJob } from '../../shared/platform/queues/pipeline-jobs';

/** Id of the BullMQ job scheduler that ticks provider batch polling. */
export const POLL_SCHEDULER_ID = 'poll-provider-batches';

export interface BatchSubmitterOptions {
  /** Crash-test seams (tests only). */
  probes?: BatchEngineDeps['probes'];
}

export interface RunningBatchSubmitter {
  engine: BatchEngine;
  isRunning(): boolean;
  /**
   * Stops taking work and waits for the current steps. `force` drops them
   * instead (what a crash looks like: nothing after this point runs to its
   * end, leases lapse, another submitter takes over).
   */
  close(options?: { force?: boolean }): Promise<void>;
}

/**
 * The batch lever's service: binds the BatchEngine to its schedules.
 * - intake: a blocking loop moving parked jobs from the inbox into groups;
 * - flush + deadlines: every PARSIMONY_BATCH_FLUSH_INTERVAL_MS, groups that
 *   are due are sent, jobs whose deadline nears go synchronous;
 * - polling: a BullMQ job scheduler on the batch queue works on due intents
 *   (submission retries with backoff, status checks with backoff,
 *   collection); an OpenAI webhook adds a `check-provider-batch` job.
 * Any number of submitters may run against one Redis (every step is leased).
 */
export function startBatchSubmitter(platform: Platform, env: BatchEnv, providerEnv: Record<string, string | undefined>, options: BatchSubmitterOptions = {}): RunningBatchSubmitter {
  const log = platform.log.child({ component: 'batch-submitter' });
  const providers = BatchProviderRegistry.fromEnv(providerEnv, log, platform.env.PARSIMONY_PROVIDER_TIMEOUT_MS);
  const pipelineQueue = platform.pipelineQueue;
  const enqueueSync = async (job: JobRecord): Promise<void> => {
    await enqueuePipelineJob(pipelineQueue, job, { attempts: platform.env.PARSIMONY_JOB_ATTEMPTS, queueJobId: `fallback-${job.id}` });
  };
  // The stages' after-completion hooks for batch-answered jobs (cache store, session floor, shadows): the same
  // pipeline as the other services build, so the same hooks. Only its hooks (and the cache stage's replayed lookup)
  // run here. The cache is the one attached to the platform: without it, batch answers are not cached.
  const { pipeline: hooks } = platform.pipeline(1);
  if (!platform.cache && platform.env.PARSIMONY_CACHE !== 'off') log.warn('no semantic cache attached to the batch-submitter: answers of provider batches will not be cached');
  const pollBaseMs = env.PARSIMONY_BATCH_POLL_SECONDS * 1000;
  const engine = new BatchEngine({
    redis: platform.redis,
    prefix: platform.env.PARSIMONY_QUEUE_PREFIX,
    store: platform.store,
    outcomes: platform.outcomes,
    catalog: platform.catalog,
    providers,
    enqueueSync,
    afterComplete: (job, response) => settleDeferred(hooks, platform.catalog, log, job, response),
    options: {
      maxWaitMs: env.PARSIMONY_BATCH_MAX_WAIT_SECONDS * 1000,
      maxRequests: env.PARSIMONY_PROVIDER_BATCH_MAX_REQUESTS,
      maxBytes: env.PARSIMONY_PROVIDER_BATCH_MAX_BYTES,
      turnaroundMs: env.PARSIMONY_BATCH_TURNAROUND_SECONDS * 1000,
      marginMs: env.PARSIMONY_BATCH_DEADLINE_MARGIN_SECONDS * 1000,
      leaseMs: env.PARSIMONY_BATCH_LEASE_SECONDS * 1000,
      pollBaseMs,
      pollMaxMs: env.PARSIMONY_BATCH_POLL_MAX_SECONDS * 1000,
      retryBudget: platform.env.PARSIMONY_JOB_ATTEMPTS,
    },
    tierStats: platform.tierStats(),
    warmup:
      env.PARSIMONY_BATCH_WARMUP === 'on' ? (request, model) => platform.providers.get(model.provider).complete(request, model, { timeoutMs: platform.env.PARSIMONY_PROVIDER_TIMEOUT_MS }) : undefined,
    probes: options.probes,
    log,
  });

  let running = true;
  const blocking: Redis = platform.redis.duplicate();
  blocking.on('error', () => undefined);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const intakeLoop = (async () => {
    try {
      const recovered = await engine.intake.recover();
      if (recovered) log.info({ jobs: recovered }, 're-admitted deferred jobs a previous submitter left half-taken');
    } catch (err) {
      log.warn({ err: { message: (err as Error).message } }, 'inbox recovery failed; items stay in the processing list');
    }
    while (running) {
      try {
        await engine.intake.take(blocking, 1);
      } catch (err) {
        if (!running) break;
        log.warn({ err: { message: (err as Error).message } }, 'batch intake error; retrying');
        await sleep(500);
      }
    }
  })();

  const tickLoop = (async () => {
    while (running) {
      const started = Date.now();
      try {
        await engine.sweepFallbacks();
        await engine.flush();
      } catch (err) {
        if (!running) break;
        log.warn({ err: { message: (err as Error).message } }, 'batch flush tick failed; retrying');
      }
      await sleep(Math.max(10, env.PARSIMONY_BATCH_FLUSH_INTERVAL_MS - (Date.now() - started)));
    }
  })();

  const queue = platform.queue(QUEUES.batch);
  const tickMs = Math.round(Math.min(5_000, Math.max(100, pollBaseMs)));
  void queue
    .upsertJobScheduler(POLL_SCHEDULER_ID, { every: tickMs }, { name: JOB_NAMES.pollProviderBatches, data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } })
    .catch((err: Error) => log.warn({ err: { message: err.message } }, 'could not schedule provider batch polling'));
  const worker = new Worker(
    QUEUES.batch,
    queueProcessor(QUEUES.batch, {
      [JOB_NAMES.pollProviderBatches]: () => engine.processDue(),
      [JOB_NAMES.checkProviderBatch]: async ({ provider, provider_batch_id }) => ({ known: await engine.checkProviderBatch(provider, provider_batch_id) }),
    }),
    { connection: platform.redis, prefix: platform.bullPrefix, concurrency: 4 },
  );
  worker.on('error', (err) => log.warn({ err: { message: err.message } }, 'batch worker error'));
  log.info({ providers: BATCH_PROVIDERS.map((d) => d.name).filter((name) => providers.has(name)), maxWaitSeconds: env.PARSIMONY_BATCH_MAX_WAIT_SECONDS }, 'batch-submitter running');

  return {
    engine,
    isRunning: () => running && worker.isRunning(),
    close: async ({ force = false } = {}) => {
      running = false;
      if (force) {
        blocking.disconnect();
        await worker.close(true);
        return;
      }
      // The intake loop sees `running` false once its blocking read is cut.
      blocking.disconnect();
      await worker.close();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all([tickLoop, intakeLoop]), new Promise((r) => (timer = setTimeout(r, 5_000)))]);
      clearTimeout(timer);
    },
  };
}
