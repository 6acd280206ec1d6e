import type pino from 'pino';
import { AllInOneEnvSchema, CommonEnvSchema, ProducerEnvSchema, WorkerEnvSchema, parseEnv } from '../../shared/platform/config/env';
import { parsimonyMetrics } from '../../shared/platform/metrics/parsimony-metrics';
import { createLogger } from '../../shared/platform/logging/logger';
import { Platform } from '../../shared/runtime/platform';
import { startSimulator, type Simulator } from '../../infra/simulator/server';
import { startProducer, type RunningProducer } from '../producer/start-producer';
import { startRouterWorker, type RunningRouterWorker } from '../router-worker/router-worker';
import { cacheFromEnv } from '../../shared/runtime/cache-from-env';
import { startCacheService } from '../cache-service/cache-service';
import { startBatchSubmitterService, type RunningBatchSubmitterService } from '../batch-submitter/start-batch-submitter';
import { WorkerChildren } from './worker-children';

export interface RunningParsimony {
  url: string;
  producer: RunningProducer;
  /** The in-process simulator, when no provider key was configured. */
  simulator?: Simulator;
  httpPlatform: Platform;
  workerPlatform: Platform;
  /** The batch-submitter (provider batches, notifications). */
  batchSubmitter: RunningBatchSubmitterService;
  batchPlatform: Platform;
  /** The extra pipeline workers (PARSIMONY_WORKERS − 1 child processes); undefined with PARSIMONY_WORKERS=1. */
  workerChildren?: WorkerChildren;
  close(): Promise<void>;
}

export interface StartAllOptions {
  env: Record<string, string | undefined>;
  logDestination?: pino.DestinationStream;
}

/**
 * All four services in one process, the embedded default for a laptop:
 * producer (HTTP), router-worker, cache-service and batch-submitter,
 * against one Redis. With no provider key set, providers are simulated.
 * PARSIMONY_WORKERS > 1 adds that many − 1 router-workers as child processes
 * (worker-children.ts: they share this process's embedded vector index).
 */
export async function startAll({ env, logDestination }: StartAllOptions): Promise<RunningParsimony> {
  const common = parseEnv(CommonEnvSchema, env);
  const producerEnv = parseEnv(ProducerEnvSchema, env);
  const workerEnv = parseEnv(WorkerEnvSchema, env);
  const { PARSIMONY_WORKERS } = parseEnv(AllInOneEnvSchema, env);
  const providerEnv = { ...env };

  let simulator: Simulator | undefined;
  if (!env.OPENAI_API_KEY && !env.ANTHROPIC_API_KEY) {
    const log = createLogger({ service: 'simulator', level: common.LOG_LEVEL, destination: logDestination });
    simulator = await startSimulator({ port: 0, logger: log });
    Object.assign(providerEnv, {
      OPENAI_API_KEY: 'sk-simulated',
      OPENAI_BASE_URL: `${simulator.url}/v1`,
      ANTHROPIC_API_KEY: 'sk-ant-simulated',
      ANTHROPIC_BASE_URL: simulator.url,
    });
    log.warn({ simulator: simulator.url }, 'NO PROVIDER KEY SET (OPENAI_API_KEY / ANTHROPIC_API_KEY): every answer comes from the built-in provider SIMULATOR, not a real model');
  }

  const workerPlatform = Platform.create({ env: common, service: 'router-worker', role: 'worker', providerEnv, logDestination });
  const httpPlatform = Platform.create({ env: common, service: 'producer', role: 'http', providerEnv, logDestination });
  // One cache for the whole process: the embedded index lives in memory, so lookups and writes must share it. Worker
  // children (PARSIMONY_WORKERS > 1) use this same index through the IPC channel: one writer, one index.
  // On the producer's request-path connection: a fast-path request's record create and exact-tier lookup then leave
  // in one write (auto-pipelined). That connection fails fast while Redis is down; the cache never fails a job for it
  // (a lookup error is a bypass, a failed inline write falls back to the cache-store queue, which retries).
  const cache = await cacheFromEnv(common, httpPlatform.hotPathRedis, workerPlatform.catalog, workerPlatform.log);
  // The cache-service runs here too, so both write finished answers to the cache directly (no queue hop).
  workerPlatform.attachCache(cache, { inlineWrites: true });
  httpPlatform.attachCache(cache, { inlineWrites: true });
  const cacheService = cache ? await startCacheService(workerPlatform, cache) : undefined;
  const workers: RunningRouterWorker[] = [startRouterWorker(workerPlatform, workerEnv)];
  const batchPlatform = Platform.create({ env: common, service: 'batch-submitter', role: 'worker', providerEnv, logDestination });
  // Jobs answered by a provider batch are cached like any other (the after-completion hooks run in the batch-submitter).
  batchPlatform.attachCache(cache, { inlineWrites: true });
  const batchSubmitter = await startBatchSubmitterService(batchPlatform, env, providerEnv);
  const stopInProcess = async () => {
    await Promise.all([...workers.map((w) => w.close()), batchSubmitter.close(), cacheService?.close()]);
    await cache?.store.close();
    await Promise.all([httpPlatform.close(), workerPlatform.close(), batchPlatform.close(), simulator?.close()]);
  };
  const workerChildren =
    PARSIMONY_WORKERS > 1
      ? await WorkerChildren.start({
          count: PARSIMONY_WORKERS - 1,
          env: providerEnv,
          store: cache && !common.QDRANT_URL ? cache.store : undefined,
          dims: cache?.embedder.dimensions,
          metrics: parsimonyMetrics().registry,
          graceMs: common.PARSIMONY_SHUTDOWN_GRACE_MS,
          log: workerPlatform.log.child({ component: 'worker-children' }),
        }).catch(async (err: unknown) => {
          // A child that cannot start fails the whole start, loudly, with nothing left running.
          await stopInProcess();
          throw err;
        })
      : undefined;
  const producer = await startProducer(httpPlatform, producerEnv, () => workers.some((w) => w.isRunning()));

  return {
    url: producer.url,
    producer,
    simulator,
    httpPlatform,
    workerPlatform,
    batchSubmitter,
    batchPlatform,
    workerChildren,
    close: async () => {
      await producer.close();
      // The children before the index: a stopping child still finishes its jobs, and their cache writes.
      await Promise.all([...workers.map((w) => w.close()), batchSubmitter.close(), cacheService?.close(), workerChildren?.close()]);
      await cache?.store.close();
      await httpPlatform.close();
      await workerPlatform.close();
      await batchPlatform.close();
      await simulator?.close();
    },
  };
}
