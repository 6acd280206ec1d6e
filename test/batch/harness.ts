import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../infra/simulator/server';
import { startBatchSubmitter, type BatchSubmitterOptions, type RunningBatchSubmitter } from '../../services/batch-submitter/batch-submitter';
import { startProducer, type RunningProducer } from '../../services/producer/start-producer';
import { startRouterWorker, type RunningRouterWorker } from '../../services/router-worker/router-worker';
import { BatchEnvSchema, CommonEnvSchema, ProducerEnvSchema, WorkerEnvSchema, parseEnv } from '../../shared/platform/config/env';
import { createLogger } from '../../shared/platform/logging/logger';
import { Platform } from '../../shared/runtime/platform';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCacheService, type RunningCacheService } from '../../services/cache-service/cache-service';
import type { SemanticCache } from '../../shared/levers/cache/semantic-cache';
import { cacheFromEnv } from '../../shared/runtime/cache-from-env';
import type { TestResponse } from '../helpers/parsimony';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis';
import { track } from '../helpers/lifecycle';
import type { LooseJson } from '../helpers/loose-json';

export const KEY = 'k-batch-acme';

/** Same data dir as test/helpers/parsimony.ts: the word-vector conversion happens once per machine. */
const TEST_DATA_DIR = join(tmpdir(), 'parsimony-test-data');

/**
 * The services of the batch path, started separately so a test can kill and
 * restart the batch-submitter: simulator (short batches), producer,
 * router-worker, batch-submitter, each on its own Platform, one Redis prefix.
 */
export interface BatchHarness {
  sim: Simulator;
  url: string;
  prefix: string;
  env: Record<string, string>;
  redis: Redis;
  logs: string[];
  submitter?: RunningBatchSubmitter;
  startSubmitter(options?: BatchSubmitterOptions): RunningBatchSubmitter;
  /** Drops the submitter like a crash: its in-flight steps never finish, its leases lapse. */
  killSubmitter(): Promise<void>;
  http(path: string, init?: RequestInit & { json?: unknown }): Promise<TestResponse>;
  /** POST /v1/jobs; returns the job id. */
  submit(body: Record<string, unknown>): Promise<string>;
  job(id: string): Promise<LooseJson>;
  waitFor(id: string, done?: (job: LooseJson) => boolean, timeoutMs?: number): Promise<LooseJson>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  sim?: SimulatorOptions;
  env?: Record<string, string>;
  /** Start a batch-submitter right away (default true). */
  submitter?: boolean | BatchSubmitterOptions;
  /**
   * A semantic cache attached to every service (one instance: its embedded
   * index lives in this process, as in the one-process mode) and a
   * cache-service writing it. Default false: no cache.
   */
  cache?: boolean;
}

export function startBatchHarness(name: string, options: HarnessOptions = {}): Promise<BatchHarness> {
  return track(startHarness(name, options));
}

async function startHarness(name: string, options: HarnessOptions): Promise<BatchHarness> {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const sim = await startSimulator({ port: 0, batchSeconds: 0.5, logger: createLogger({ service: 'simulator', level: 'silent' }), ...options.sim });
  const prefix = uniquePrefix(name);
  const env: Record<string, string> = {
    REDIS_URL,
    PARSIMONY_QUEUE_PREFIX: prefix,
    PARSIMONY_API_KEYS: `acme:${KEY}`,
    PORT: '0',
    LOG_LEVEL: 'info',
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: `${sim.url}/v1`,
    ANTHROPIC_API_KEY: 'sk-ant-test',
    ANTHROPIC_BASE_URL: sim.url,
    PARSIMONY_STALLED_INTERVAL_MS: '1000',
    PARSIMONY_JOB_LOCK_MS: '5000',
    PARSIMONY_BATCH_MAX_WAIT_SECONDS: '0.3',
    PARSIMONY_BATCH_FLUSH_INTERVAL_MS: '100',
    PARSIMONY_BATCH_POLL_SECONDS: '0.2',
    PARSIMONY_BATCH_POLL_MAX_SECONDS: '0.5',
    PARSIMONY_BATCH_LEASE_SECONDS: '1',
    PARSIMONY_BATCH_DEADLINE_MARGIN_SECONDS: '1',
    PARSIMONY_BATCH_TURNAROUND_SECONDS: '1',
    // A batch-submitter process (main.ts) loads the semantic cache: word vectors converted once per machine.
    PARSIMONY_DATA_DIR: TEST_DATA_DIR,
    ...options.env,
  };
  const common = parseEnv(CommonEnvSchema, env);
  let cache: SemanticCache | undefined;
  const platform = (service: string, role: 'http' | 'worker') => Platform.create({ env: common, service, role, providerEnv: env, logDestination: destination }).attachCache(cache);
  const http = platform('producer', 'http');
  const worker = platform('router-worker', 'worker');
  let cacheService: RunningCacheService | undefined;
  if (options.cache) {
    cache = await cacheFromEnv(common, worker.redis, worker.catalog, worker.log);
    http.attachCache(cache);
    worker.attachCache(cache);
    cacheService = await startCacheService(worker, cache!);
  }
  const routerWorker: RunningRouterWorker = startRouterWorker(worker, parseEnv(WorkerEnvSchema, env));
  const producer: RunningProducer = await startProducer(http, parseEnv(ProducerEnvSchema, env));
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const batchEnv = parseEnv(BatchEnvSchema, env);
  let submitterPlatform: Platform | undefined;

  const harness: BatchHarness = {
    sim,
    url: producer.url,
    prefix,
    env,
    redis,
    logs,
    startSubmitter(submitterOptions = {}) {
      submitterPlatform = platform('batch-submitter', 'worker');
      harness.submitter = startBatchSubmitter(submitterPlatform, batchEnv, env, submitterOptions);
      return harness.submitter;
    },
    async killSubmitter() {
      const running = harness.submitter;
      const p = submitterPlatform;
      harness.submitter = undefined;
      submitterPlatform = undefined;
      await running?.close({ force: true });
      p?.redis.disconnect();
      await p?.close();
    },
    http(path, init = {}) {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      headers.set('authorization', `Bearer ${KEY}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${producer.url}${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body }) as Promise<TestResponse>;
    },
    async submit(body) {
      const res = await harness.http('/v1/jobs', { method: 'POST', json: body });
      const json = await res.json();
      if (res.status !== 202) throw new Error(`POST /v1/jobs answered ${res.status}: ${JSON.stringify(json)}`);
      return json.id as string;
    },
    async job(id) {
      return (await harness.http(`/v1/jobs/${id}`)).json();
    },
    async waitFor(id, done = (j) => ['completed', 'failed', 'cancelled'].includes(j.status), timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const job = await harness.job(id);
        if (done(job)) return job;
        if (Date.now() > until) throw new Error(`job ${id} did not reach the expected state in ${timeoutMs} ms: ${JSON.stringify(job)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await harness.submitter?.close();
      await producer.close();
      await routerWorker.close();
      await cacheService?.close();
      await cache?.store.close();
      await submitterPlatform?.close();
      await http.close();
      await worker.close();
      await sim.close();
      redis.disconnect();
      await deletePrefix(prefix);
      // Only this harness's index (its own cache, or a spawned submitter's): other test runs may share the data dir.
      const indexDir = join(TEST_DATA_DIR, 'vector-index');
      const own = (await readdir(indexDir).catch(() => [] as string[])).filter((name) => name.startsWith(`${prefix}_`));
      await Promise.all(own.map((name) => rm(join(indexDir, name), { recursive: true, force: true })));
    },
  };
  if (options.submitter !== false) harness.startSubmitter(typeof options.submitter === 'object' ? options.submitter : {});
  return harness;
}

/** A job body for POST /v1/jobs. */
export function batchJob(model: string, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { request: { model, messages: [{ role: 'user', content: text }], max_tokens: 40 }, latency: 'batch', ...extra };
}

/** Today's savings aggregates of tenant acme (each completed job counts once, atomically with its completion). */
export async function savings(h: BatchHarness): Promise<Record<string, string>> {
  return h.redis.hgetall(`${h.prefix}:savings:acme:${new Date().toISOString().slice(0, 10)}`);
}
