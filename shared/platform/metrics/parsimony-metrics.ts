import { Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';
import { ProcessGroupRegistry } from './process-group-registry';

/** Seconds; from a cache hit (sub-ms) to a long frontier completion. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * Every Prometheus metric Parsimony exposes, on one registry per process
 * (the prom-client convention: Prometheus scrapes each process and sums).
 * All names start with `parsimony_`; labels are bounded sets (route
 * patterns, stage names, catalog models, levers, configured tenants),
 * never raw paths or ids.
 */
export class ParsimonyMetrics {
  /** This process's metrics, plus those of the processes it serves /metrics for (the all-in-one's worker children). */
  readonly registry = new ProcessGroupRegistry();

  readonly httpDuration = new Histogram({
    name: 'parsimony_http_request_duration_seconds',
    help: 'HTTP request latency by express route pattern (not the raw path), method and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly stageDuration = new Histogram({
    name: 'parsimony_stage_duration_seconds',
    help: 'Time spent in each pipeline stage, by how the stage ended (continue, complete, defer, error).',
    labelNames: ['stage', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly stageCpu = new Counter({
    name: 'parsimony_stage_cpu_seconds_total',
    help: 'CPU time (user + system) charged to each pipeline stage (stage, or stage:after_complete for its after-completion hook): process.cpuUsage() between stage starts and ends, split equally among the stage runs active meanwhile, so stages never count CPU twice (PARSIMONY_STAGE_CPU).',
    labelNames: ['stage'] as const,
    registers: [this.registry],
  });

  readonly jobsFinished = new Counter({
    name: 'parsimony_jobs_finished_total',
    help: 'Jobs that reached a final status, by status, the stage or path that delivered them, and tenant.',
    labelNames: ['status', 'delivered_by', 'tenant'] as const,
    registers: [this.registry],
  });

  readonly cacheLookups = new Counter({
    name: 'parsimony_cache_lookups_total',
    help: 'Semantic cache outcomes of completed jobs (from annotations.cache): hit, miss or bypass, by tier (exact, semantic).',
    labelNames: ['result', 'kind'] as const,
    registers: [this.registry],
  });

  readonly tokens = new Counter({
    name: 'parsimony_tokens_total',
    help: 'Tokens of completed jobs by model and direction (input, output).',
    labelNames: ['model', 'direction'] as const,
    registers: [this.registry],
  });

  readonly costUsd = new Counter({
    name: 'parsimony_cost_usd_total',
    help: 'USD of completed jobs by model: kind=actual (paid), baseline (counterfactual), overhead (spent by the levers).',
    labelNames: ['model', 'kind'] as const,
    registers: [this.registry],
  });

  readonly savedUsd = new Counter({
    name: 'parsimony_saved_usd_total',
    help: 'USD saved by each lever (routing, cache, context, compression, prompt_cache, batch), by model.',
    labelNames: ['model', 'lever'] as const,
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: 'parsimony_queue_jobs',
    help: 'Jobs in each BullMQ queue by state, read from Redis when /metrics is scraped.',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  readonly batches = new Counter({
    name: 'parsimony_batches_total',
    help: 'Batches (Parsimony batches and provider batches) that entered each state.',
    labelNames: ['kind', 'state'] as const,
    registers: [this.registry],
  });

  readonly batchesInState = new Gauge({
    name: 'parsimony_batches',
    help: 'Batches currently in each state, as last reported by the batch owner.',
    labelNames: ['kind', 'state'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'parsimony_webhook_deliveries_total',
    help: 'Outbound webhook delivery attempts by outcome (delivered, retrying, failed) and HTTP status class.',
    labelNames: ['outcome', 'status'] as const,
    registers: [this.registry],
  });

  readonly webhookDuration = new Histogram({
    name: 'parsimony_webhook_delivery_duration_seconds',
    help: 'Latency of outbound webhook delivery attempts.',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'parsimony_rate_limited_total',
    help: 'Requests refused by a tenant limit (requests_per_minute, tokens_per_minute, usd_per_day).',
    labelNames: ['tenant', 'limit'] as const,
    registers: [this.registry],
  });

  readonly providerCooldownDelays = new Counter({
    name: 'parsimony_provider_cooldown_delays_total',
    help: 'Queued jobs put back (no attempt spent) because their provider rate-limited us: reason=rate_limited (it answered 429) or cooling_down (not called during the cooldown).',
    labelNames: ['provider', 'reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Process metrics (CPU, memory, event-loop lag, GC) under the usual names.
    collectDefaultMetrics({ register: this.registry });
  }
}

let instance: ParsimonyMetrics | undefined;

/** This process's metrics (created on first use). */
export function parsimonyMetrics(): ParsimonyMetrics {
  instance ??= new ParsimonyMetrics();
  return instance;
}
