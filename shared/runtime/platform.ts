import { DEFAULT_TIER_CONFIG, type TierConfig } from '../levers/batch/tier-config';
import { TierStats } from '../levers/batch/tier-stats';
import { Queue, type QueueOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Catalog } from '../core/catalog/catalog';
import type { CommonEnv } from '../platform/config/env';
import { JobStore } from '../core/jobs/job-store';
import { JobOutcomes } from '../core/jobs/job-outcomes';
import { createLogger } from '../platform/logging/logger';
import { parsimonyMetrics, type ParsimonyMetrics } from '../platform/metrics/parsimony-metrics';
import { stageCpuObserver, stageLatencyObserver } from '../platform/metrics/stage-metrics';
import { buildPipeline } from '../pipeline/build-pipeline';
import type { CooldownLookup } from '../pipeline/execute-stage';
import { ComplexityRouter } from '../levers/routing';
import { ProviderRegistry } from '../providers/registry';
import { backoffDelayMs } from '../providers/retry-policy';
import { JOB_NAMES, QUEUES, type QueueName } from '../platform/queues/queue-catalog';
import type { SemanticCache } from '../levers/cache/semantic-cache';
import type { CacheStorePayload } from '../levers/cache/cache-entry';
import { closeRedis, createRedis, type ConnectionRole } from '../platform/redis/connections';
import type pino from 'pino';
import { enqueuePipelineJob } from '../platform/queues/pipeline-jobs';
import { ShadowComparer } from '../levers/routing/guards/shadow-comparer';
import { CacheCheckLauncher } from '../levers/cache/quality/cache-checks';
import { CacheCheckComparer } from '../levers/cache/quality/check-comparer';
import { CacheMaintenance } from '../levers/cache/cache-maintenance';
import { ThresholdFeedback, type ThresholdFeedbackOptions } from '../levers/routing/guards/threshold-feedback';
import { routerEncoder } from '../levers/routing/sentence-encoder';

export interface PlatformOptions {
  env: CommonEnv;
  /** Service name for logs. */
  service: string;
  /** http: fail fast when Redis is down (producer); worker: wait for Redis. */
  role: ConnectionRole;
  /** Log sink; default stdout. */
  logDestination?: pino.DestinationStream;
  /** Environment the provider registry reads keys and base URLs from. Default: `env`. */
  providerEnv?: Record<string, string | undefined>;
}

/**
 * What every service process is built from: config, logger, catalog,
 * providers, Redis, job store and queues. Services add only their bindings.
 */
export class Platform {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly closers: (() => Promise<void>)[] = [];
  private shadowComparer?: ShadowComparer;
  private cacheCheckComparer?: CacheCheckComparer;
  private cacheChecks?: CacheCheckLauncher;
  private feedback?: ThresholdFeedback;

  private constructor(
    readonly env: CommonEnv,
    readonly log: Logger,
    readonly catalog: Catalog,
    readonly providers: ProviderRegistry,
    /** BullMQ's connection (queues, workers), and whatever blocks or must not be auto-pipelined. */
    readonly redis: Redis,
    /**
     * The request path's own reads and writes (job records, the cache, the
     * stages' stores) on an auto-pipelined connection: what one request (or
     * several at once) issues in one event-loop turn is one round trip.
     */
    readonly hotPathRedis: Redis,
    readonly store: JobStore,
    readonly outcomes: JobOutcomes,
    private readonly role: ConnectionRole,
    private readonly router: ComplexityRouter,
  ) {}

  static create(options: PlatformOptions): Platform {
    const { env } = options;
    const log = createLogger({ service: options.service, level: env.LOG_LEVEL, destination: options.logDestination });
    const catalog = Catalog.load(env.PARSIMONY_CATALOG);
    const providers = ProviderRegistry.fromEnv(options.providerEnv ?? env, log);
    const redis = createRedis(env.REDIS_URL, options.role, log, `parsimony-${options.service}`);
    const hotPathRedis = createRedis(env.REDIS_URL, options.role, log, `parsimony-${options.service}-hot`, { autoPipelining: true });
    const store = new JobStore(hotPathRedis, { prefix: env.PARSIMONY_QUEUE_PREFIX, retentionSeconds: env.PARSIMONY_JOB_RETENTION_SECONDS });
    const outcomes = new JobOutcomes(store, env.PARSIMONY_QUEUE_PREFIX);
    const router = ComplexityRouter.load(catalog, {
      weightsPath: env.PARSIMONY_ROUTER_WEIGHTS,
      frontierShare: env.PARSIMONY_ROUTER_FRONTIER_SHARE,
      smallShare: env.PARSIMONY_ROUTER_SMALL_SHARE,
      qualityTarget: env.PARSIMONY_ROUTER_QUALITY_TARGET,
      encoder: env.PARSIMONY_ROUTER_ENCODER === 'embedded' ? routerEncoder(env.PARSIMONY_DATA_DIR, log) : undefined,
    });
    return new Platform(env, log, catalog, providers, redis, hotPathRedis, store, outcomes, options.role, router);
  }

  /** BullMQ options shared by every queue and worker of this deployment. */
  get bullPrefix(): string {
    return `${this.env.PARSIMONY_QUEUE_PREFIX}:q`;
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      const options: QueueOptions = { connection: this.redis, prefix: this.bullPrefix };
      queue = new Queue(name, options);
      queue.on('error', (err) => this.log.warn({ err: { message: err.message }, queue: name }, 'queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /**
   * The semantic cache this process looks up and writes through. Set once at
   * start-up; in the one-process mode every service shares one instance (the
   * embedded index lives in memory).
   */
  cache?: SemanticCache;
  private cacheWritesInline = false;

  /**
   * `inlineWrites`: the cache-service runs in this process (the all-in-one), so
   * a finished job's answer is written to the cache directly instead of via the
   * cache-store queue — the same write, without a queue round trip per miss. A
   * failed direct write falls back to the queue, which retries it.
   */
  attachCache(cache: SemanticCache | undefined, options: { inlineWrites?: boolean } = {}): this {
    this.cache = cache;
    this.cacheWritesInline = options.inlineWrites ?? false;
    return this;
  }

  private async enqueueCacheStore(payload: CacheStorePayload): Promise<void> {
    await this.queue(QUEUES.cacheStore).add(JOB_NAMES.storeInCache, payload, {
      attempts: 5,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: true,
      removeOnFail: { age: 24 * 3600 },
    });
  }

  private async writeCacheInline(payload: CacheStorePayload, vector?: Float32Array): Promise<void> {
    try {
      await this.cache!.storeLocal(payload, vector);
    } catch (err) {
      this.log.warn({ err: { message: (err as Error).message } }, 'direct cache write failed; handing it to the cache-store queue');
      await this.enqueueCacheStore(payload);
    }
  }

  /** How the processing tier is chosen (PARSIMONY_TIER_*). */
  tierConfig(): TierConfig {
    const e = this.env;
    return {
      ...DEFAULT_TIER_CONFIG,
      batchP95PriorSeconds: e.PARSIMONY_TIER_BATCH_P95_SECONDS,
      flexP95PriorSeconds: e.PARSIMONY_TIER_FLEX_P95_SECONDS,
      flexRefusalPrior: e.PARSIMONY_TIER_FLEX_REFUSAL,
      flexMaxRefusal: e.PARSIMONY_TIER_FLEX_MAX_REFUSAL,
      standardP95Seconds: e.PARSIMONY_TIER_STANDARD_P95_SECONDS,
      marginSeconds: e.PARSIMONY_TIER_MARGIN_SECONDS,
      flexTimeoutCapSeconds: e.PARSIMONY_TIER_FLEX_TIMEOUT_SECONDS,
      minSamples: e.PARSIMONY_TIER_MIN_SAMPLES,
      tenantBudgets: e.PARSIMONY_TIER_TENANT_BUDGETS,
    };
  }

  /** Measured batch turnaround and flex latency / refusals (shared by every process through Redis). */
  tierStats(): TierStats {
    return new TierStats(this.redis, this.env.PARSIMONY_QUEUE_PREFIX, this.tierConfig());
  }

  /**
   * The pipeline with `attempts` provider attempts per call (fast path > 1; queued path 1, BullMQ retries).
   * `cooldownMs`: per-provider 429 cooldowns its execute stage honours (the router-worker's); `cooldownWaitMs` and
   * `recordRateLimit`: the fast path's share of the same rule (wait out short cooldowns, start them on a 429).
   */
  pipeline(attempts: number, options: { cooldownMs?: CooldownLookup; cooldownWaitMs?: number; recordRateLimit?: (provider: string, retryAfterMs: number | undefined) => Promise<number> } = {}) {
    return buildPipeline({
      cooldownMs: options.cooldownMs,
      cooldownWaitMs: options.cooldownWaitMs,
      recordRateLimit: options.recordRateLimit,
      catalog: this.catalog,
      adapterFor: (provider) => this.providers.get(provider),
      isProviderConfigured: (provider) => this.providers.has(provider),
      attempts,
      timeoutMs: this.env.PARSIMONY_PROVIDER_TIMEOUT_MS,
      backoffMs: backoffDelayMs,
      router: this.router,
      routingPolicies: this.env.PARSIMONY_ROUTING_POLICY,
      observe: stageLatencyObserver(),
      observeCpu: this.env.PARSIMONY_STAGE_CPU === 'on' ? stageCpuObserver() : undefined,
      redis: this.hotPathRedis,
      keyPrefix: this.env.PARSIMONY_QUEUE_PREFIX,
      context: this.env.PARSIMONY_CONTEXT_POLICY,
      tiers: this.tierConfig(),
      routingGuards: {
        sessionWindowSeconds: this.env.PARSIMONY_ROUTER_SESSION_WINDOW_SECONDS,
        shadowShare: this.env.PARSIMONY_SHADOW_SHARE,
        shadowFirstCheckMs: this.env.PARSIMONY_SHADOW_CHECK_MS,
        feedback: this.routingFeedback,
        store: this.store,
        // Shadows yield to interactive work like batch lines; built-in backoff (they are deferred to a provider batch anyway).
        enqueue: async (job) => {
          await enqueuePipelineJob(this.pipelineQueue, job, { attempts: this.env.PARSIMONY_JOB_ATTEMPTS, background: true, backoff: { type: 'exponential', delay: 1_000 } });
        },
      },
      cache: this.cache,
      cacheChecks: this.cacheCheckLauncher(),
      enqueueCacheStore: this.cacheWritesInline ? (payload, vector) => this.writeCacheInline(payload, vector) : (payload) => this.enqueueCacheStore(payload),
    });
  }

  /** The verified cache's check launcher (PARSIMONY_CACHE_CHECK_SHARE of semantic hits), when the cache is on. */
  private cacheCheckLauncher(): CacheCheckLauncher | undefined {
    if (!this.cache || !(this.env.PARSIMONY_CACHE_CHECK_SHARE > 0)) return undefined;
    this.cacheChecks ??= new CacheCheckLauncher({
      redis: this.redis,
      prefix: this.env.PARSIMONY_QUEUE_PREFIX,
      catalog: this.catalog,
      store: this.store,
      quality: this.cache.quality,
      share: this.env.PARSIMONY_CACHE_CHECK_SHARE,
      firstCheckMs: this.env.PARSIMONY_CACHE_CHECK_MS,
      // Checks yield to interactive work like batch lines and routing shadows.
      enqueue: (job) => enqueuePipelineJob(this.pipelineQueue, job, { attempts: this.env.PARSIMONY_JOB_ATTEMPTS, background: true, backoff: { type: 'exponential', delay: 1_000 } }),
    });
    return this.cacheChecks;
  }

  /** Starts this process's cache check comparer (once), when the cache is on: compares finished checks, adapts thresholds. */
  startCacheCheckComparer(): CacheCheckComparer | undefined {
    if (!this.cache) return undefined;
    this.cacheCheckComparer ??= new CacheCheckComparer({
      redis: this.redis,
      prefix: this.env.PARSIMONY_QUEUE_PREFIX,
      store: this.store,
      quality: this.cache.quality,
      maintenance: new CacheMaintenance(this.cache, this.log),
      log: this.log.child({ component: 'cache-checks' }),
      checkMs: this.env.PARSIMONY_CACHE_CHECK_MS,
    }).start();
    return this.cacheCheckComparer;
  }

  /** This process's Prometheus metrics (served by the producer at /metrics). */
  get metrics(): ParsimonyMetrics {
    return parsimonyMetrics();
  }

  get pipelineQueue(): Queue {
    return this.queue(QUEUES.pipeline);
  }

  /**
   * Starts this process's routing shadow comparer (once): it compares finished
   * shadow jobs with their originals (shared/levers/routing/guards). Stopped by close().
   */
  startShadowComparer(): ShadowComparer {
    this.shadowComparer ??= new ShadowComparer({
      redis: this.redis,
      prefix: this.env.PARSIMONY_QUEUE_PREFIX,
      store: this.store,
      log: this.log.child({ component: 'routing-shadows' }),
      checkMs: this.env.PARSIMONY_SHADOW_CHECK_MS,
      feedback: this.routingFeedback,
    }).start();
    return this.shadowComparer;
  }

  /** Threshold feedback from shadow agreement (the comparer writes it, the route stage and /v1/routing/quality read it). */
  get routingFeedback(): ThresholdFeedback {
    this.feedback ??= new ThresholdFeedback(this.redis, this.env.PARSIMONY_QUEUE_PREFIX, this.feedbackOptions);
    return this.feedback;
  }

  get feedbackOptions(): ThresholdFeedbackOptions {
    return { minAgreement: this.env.PARSIMONY_ROUTER_MIN_AGREEMENT, minShadows: this.env.PARSIMONY_ROUTER_FEEDBACK_MIN_SHADOWS };
  }

  /** Work to stop before the connections close (timers started by a service on this platform). */
  onClose(stop: () => Promise<void>): void {
    this.closers.push(stop);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.closers.map((stop) => stop()));
    await this.shadowComparer?.close();
    await this.cacheCheckComparer?.close();
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    await Promise.all([closeRedis(this.redis), closeRedis(this.hotPathRedis)]);
  }
}
