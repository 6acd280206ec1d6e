import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ContextConfigSchema } from '../../levers/context/context-config';
import { RoutingPolicySchema } from '../../levers/routing/policy';
import { CacheTenantPolicySchema } from '../../levers/cache/cache-options';
import { TenantBudgetsSchema } from '../../levers/batch/tier-config';

/**
 * Environment schemas, one per concern, validated once at start-up. A bad
 * variable stops the process with one line naming it; nothing reads
 * process.env anywhere else.
 */

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const optionalUrl = z
  .url()
  .optional()
  .or(z.literal('').transform(() => undefined));
/** An optional environment variable holding JSON that must match `schema`. */
function jsonOf<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): z.infer<S> | undefined => {
      if (!raw) return undefined;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: `is invalid: ${parsed.error.issues[0].path.join('.')} ${parsed.error.issues[0].message}` });
        return z.NEVER;
      }
      return parsed.data;
    });
}

const optionalString = z
  .string()
  .optional()
  .or(z.literal('').transform(() => undefined));

export const CommonEnvSchema = z.object({
  /** Redis connection URL. Default redis://127.0.0.1:6379. */
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key and BullMQ queue; lets several deployments (or test files) share one Redis. Default "parsimony". */
  PARSIMONY_QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]+$/, 'letters, digits, _ . - only')
    .default('parsimony'),
  /**
   * How long a service may take to stop on SIGTERM/SIGINT, in ms: in-flight work gets this long to finish, then the
   * process exits (1) regardless; with Redis unreachable at the signal the stop gets at most 3 s
   * (services/lifecycle.ts). Keep it below the orchestrator's stop grace period. Default 30000.
   */
  PARSIMONY_SHUTDOWN_GRACE_MS: positiveInt.default(30_000),
  /** pino level. Default info. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Where embedded indexes and converted embeddings live. Default ./data. */
  PARSIMONY_DATA_DIR: z.string().default('./data'),
  /** Path of a model catalog replacing the shipped shared/core/catalog/models.json. */
  PARSIMONY_CATALOG: optionalString,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalUrl,
  /** Per-attempt provider timeout in ms. Default 120000. */
  PARSIMONY_PROVIDER_TIMEOUT_MS: positiveInt.default(120_000),
  /** How long finished job records are kept, in seconds. Default 7 days. */
  PARSIMONY_JOB_RETENTION_SECONDS: positiveInt.default(7 * 24 * 3600),
  /** Attempts per job before it fails (provider 408/409/429/5xx are retried). Default 5. */
  PARSIMONY_JOB_ATTEMPTS: positiveInt.default(5),
  /**
   * Context-hygiene policy as JSON, e.g. {"strategy":"mask","window":4,"keep":2,"tenants":{"acme":{"agents":{"support":{"window":6}}}}}.
   * Default: mask+summarize, window 4, keep 2.
   */
  PARSIMONY_CONTEXT_POLICY: jsonOf(ContextConfigSchema),
  /** Processing tiers (shared/levers/batch/tier-config.ts): expected p95 provider batch turnaround before any is measured, seconds. Default 3000. */
  PARSIMONY_TIER_BATCH_P95_SECONDS: z.coerce.number().positive().default(3000),
  /** Expected p95 flex latency before any is measured, seconds. Default 120. */
  PARSIMONY_TIER_FLEX_P95_SECONDS: z.coerce.number().positive().default(120),
  /** Expected flex refusal rate before any is measured. Default 0.1. */
  PARSIMONY_TIER_FLEX_REFUSAL: z.coerce.number().min(0).max(1).default(0.1),
  /** Flex is not tried above this measured refusal rate. Default 0.5. */
  PARSIMONY_TIER_FLEX_MAX_REFUSAL: z.coerce.number().min(0).max(1).default(0.5),
  /** Time kept for a standard call after a refused flex call, seconds. Default 60. */
  PARSIMONY_TIER_STANDARD_P95_SECONDS: z.coerce.number().nonnegative().default(60),
  /** Safety margin the tier choice keeps before a deadline, seconds. Default 300. */
  PARSIMONY_TIER_MARGIN_SECONDS: z.coerce.number().nonnegative().default(300),
  /** Longest a flex call may run before it is abandoned for standard, seconds. Default 600. */
  PARSIMONY_TIER_FLEX_TIMEOUT_SECONDS: z.coerce.number().positive().default(600),
  /** Measurements needed per provider + model before they replace the defaults above. Default 5. */
  PARSIMONY_TIER_MIN_SAMPLES: positiveInt.default(5),
  /** Default latency budget of async jobs sent without a deadline, per tenant ("*" = all), seconds, as JSON: {"acme": 3600}. Default none. */
  PARSIMONY_TIER_TENANT_BUDGETS: jsonOf(TenantBudgetsSchema),
  /**
   * Routing policy knob: routed quality relative to all-frontier on held-out traffic (0.99 = within 1%); the frontier
   * share is derived from it (the router weights' quality curve). Default 0.99.
   */
  PARSIMONY_ROUTER_QUALITY_TARGET: z.coerce.number().min(0.5).max(1).optional(),
  /** A fixed share of "auto" traffic routed to the frontier tier instead of the quality target (wins over it when set). */
  PARSIMONY_ROUTER_FRONTIER_SHARE: z.coerce.number().min(0).max(1).optional(),
  /** Target share routed to the small tier. Default 0.2. */
  PARSIMONY_ROUTER_SMALL_SHARE: z.coerce.number().min(0).max(1).optional(),
  /** Path of a router weights file replacing shared/levers/routing/weights.json. */
  PARSIMONY_ROUTER_WEIGHTS: optionalString,
  /** Semantic cache on (default) or off for the whole deployment. */
  PARSIMONY_CACHE: z.enum(['on', 'off']).default('on'),
  /** CPU time per pipeline stage (process.cpuUsage() deltas) into parsimony_stage_cpu_seconds_total. Default on. */
  PARSIMONY_STAGE_CPU: z.enum(['on', 'off']).default('on'),
  /** Per-tenant cache policies as JSON ("*" = default), e.g. {"acme":{"threshold":0.95,"ttl_class":"static"}}. */
  PARSIMONY_CACHE_POLICY: jsonOf(z.record(z.string(), CacheTenantPolicySchema)),
  /** Embedder of the semantic tier: "embedded" (offline word vectors, free) or "openai" (any OpenAI-compatible endpoint). */
  CACHE_EMBEDDER: z.enum(['embedded', 'openai']).default('embedded'),
  CACHE_EMBEDDING_MODEL: z.string().default('text-embedding-3-small'),
  CACHE_EMBEDDING_BASE_URL: optionalUrl,
  CACHE_EMBEDDING_API_KEY: optionalString,
  CACHE_EMBEDDING_DIMENSIONS: z.coerce.number().int().positive().optional(),
  /** USD per million embedding tokens; default the catalog's price for the model. */
  CACHE_EMBEDDING_PRICE: z.coerce.number().nonnegative().optional(),
  /** Qdrant for the semantic tier (required when services run as separate processes); unset = embedded store. */
  QDRANT_URL: optionalUrl,
  QDRANT_API_KEY: optionalString,
  /** Per-tenant routing policies as JSON, e.g. {"acme":{"frontierShare":0.3,"maxTier":"mid"},"*":{"enabled":true}}. */
  PARSIMONY_ROUTING_POLICY: jsonOf(z.record(z.string(), RoutingPolicySchema)),
  /** Session stickiness: a session (metadata.session_id) never routes below the highest tier it used this many seconds back. Default 1800. */
  PARSIMONY_ROUTER_SESSION_WINDOW_SECONDS: positiveInt.default(1800),
  /** Share of small/mid routed jobs re-run on the frontier through the batch API to measure agreement. Default 0.02; 0 disables. */
  PARSIMONY_SHADOW_SHARE: z.coerce.number().min(0).max(1).default(0.02),
  /** How often finished shadow jobs are looked for (and the first re-check delay of an unfinished one), in ms. Default 5000. */
  PARSIMONY_SHADOW_CHECK_MS: positiveInt.default(5_000),
  /** Verified cache: highest false-hit rate of served semantic hits each scope's threshold is held under (upper 95 % bound). Default 0.02. */
  PARSIMONY_CACHE_MAX_ERROR: z.coerce.number().gt(0).lt(1).default(0.02),
  /** Share of semantic hits re-answered by the routed model through the batch API to check them. Default 0.05; 0 disables checks. */
  PARSIMONY_CACHE_CHECK_SHARE: z.coerce.number().min(0).max(1).default(0.05),
  /** How often finished cache checks are looked for (and the first re-check delay), in ms. Default 5000. */
  PARSIMONY_CACHE_CHECK_MS: positiveInt.default(5_000),
  /** Shadow agreement a (tenant, task) must keep; below it its routing thresholds are raised (fewer prompts to smaller tiers). Default 0.95. */
  PARSIMONY_ROUTER_MIN_AGREEMENT: z.coerce.number().min(0).max(1).default(0.95),
  /** Compared shadows per (tenant, task) judgement of the thresholds. Default 20. */
  PARSIMONY_ROUTER_FEEDBACK_MIN_SHADOWS: positiveInt.default(20),
  /** Router's embedding of each prompt (dense score part + out-of-distribution check): "embedded" (the cache lever's offline word vectors, default) or "off". */
  PARSIMONY_ROUTER_ENCODER: z.enum(['embedded', 'off']).default('embedded'),
});

/** Outbound webhooks: hosts exempt from the private-address (SSRF) guard. Read by the producer and by notifications. */
export const WebhookGuardEnvSchema = z.object({
  /** Comma-separated host names or IPs that callback URLs may target even though they are loopback/private (e.g. "127.0.0.1" in tests). Default none. */
  PARSIMONY_WEBHOOK_ALLOW_HOSTS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((h) =>
          h
            .trim()
            .toLowerCase()
            .replace(/^\[|\]$/g, ''),
        )
        .filter(Boolean),
    ),
});

/** The OpenAI-compatible Batch API (files and batches) in the producer. */
export const BatchApiEnvSchema = z.object({
  ...WebhookGuardEnvSchema.shape,
  /** Largest uploaded file, in bytes. Default 200 MB. */
  PARSIMONY_FILE_MAX_BYTES: positiveInt.default(200 * 1024 * 1024),
  /** How long uploaded files, batch output/error files and finished batches are kept, in seconds. Default 30 days. */
  PARSIMONY_FILE_RETENTION_SECONDS: positiveInt.default(30 * 24 * 3600),
  /** Largest accepted line of a batch input file, in bytes. Default 10 MB. */
  PARSIMONY_BATCH_LINE_MAX_BYTES: positiveInt.default(10 * 1024 * 1024),
  /** Batch lines waiting in the pipeline queue at most; the rest are fed in as it drains. Default 5000. */
  PARSIMONY_BATCH_FEED_WINDOW: positiveInt.default(5_000),
});

/** The notifications worker (batch progress and outbound webhooks), run by the batch-submitter. */
export const NotificationsEnvSchema = z.object({
  ...WebhookGuardEnvSchema.shape,
  /** Per-tenant Standard Webhooks signing secrets, "tenant:whsec_…" pairs separated by commas. A tenant without one gets a generated secret (logged once, kept in Redis). */
  PARSIMONY_WEBHOOK_SECRETS: z
    .string()
    .default('')
    .superRefine((v, ctx) => {
      for (const pair of v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean))
        if (!/^[a-zA-Z0-9_-]{1,64}:whsec_[A-Za-z0-9+/=]{16,}$/.test(pair)) ctx.addIssue({ code: 'custom', message: 'must be tenant:whsec_<base64> pairs separated by commas' });
    }),
  /** Delivery attempts per webhook event. Default 8. */
  PARSIMONY_WEBHOOK_ATTEMPTS: positiveInt.default(8),
  /** First retry delay in ms, doubling on each retry. Default 30000. */
  PARSIMONY_WEBHOOK_BACKOFF_MS: positiveInt.default(30_000),
  /** Longest retry delay in ms. Default 1800000 (30 min). */
  PARSIMONY_WEBHOOK_BACKOFF_MAX_MS: positiveInt.default(30 * 60_000),
  /** Per-attempt timeout of a webhook POST in ms. Default 10000. */
  PARSIMONY_WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
  /** Webhook deliveries and job events handled at once. Default 16. */
  PARSIMONY_NOTIFICATIONS_CONCURRENCY: positiveInt.default(16),
  /** How often open batches are checked for expiry and interrupted work, in ms. Default 5000. */
  PARSIMONY_BATCH_SWEEP_MS: positiveInt.default(5_000),
  /** Batch lines waiting in the pipeline queue at most; the rest are fed in as it drains. Default 5000. */
  PARSIMONY_BATCH_FEED_WINDOW: positiveInt.default(5_000),
  /** How long output/error files and finished batches are kept, in seconds. Default 30 days. */
  PARSIMONY_FILE_RETENTION_SECONDS: positiveInt.default(30 * 24 * 3600),
  /** Optional: tenants listed here get their webhook secret generated (and logged) at start-up rather than on first use. */
  PARSIMONY_API_KEYS: optionalString,
});

/** Operations surface of the producer: admin tools, metrics, tenant budgets and rate limits. */
export const OpsEnvSchema = z.object({
  /** Key for /admin/* (bull-board at /admin/queues), at least 16 characters. Unset (default): /admin answers 404. */
  PARSIMONY_ADMIN_KEY: z
    .string()
    .optional()
    .transform((v) => v || undefined)
    .pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /** When set, GET /metrics needs "Authorization: Bearer <key>". Default: unset, /metrics is open. */
  PARSIMONY_METRICS_KEY: optionalString,
  /** Per-tenant limits as JSON or the path of a JSON file, e.g. {"*": {"requests_per_minute": 600}, "acme": {"usd_per_day": 50}}. Default: no limits. */
  PARSIMONY_TENANT_LIMITS: optionalString,
});

export const ProducerEnvSchema = z.object({
  /** HTTP port of the producer. Default 8080. */
  PORT: port.default(8080),
  /** Interface to listen on. Default 127.0.0.1 (set 0.0.0.0 in containers). */
  HOST: z.string().default('127.0.0.1'),
  /** Comma-separated tenant:key pairs, e.g. "acme:k-acme-1,globex:k-globex-1". */
  PARSIMONY_API_KEYS: z.string({ message: 'is required: comma-separated tenant:key pairs, e.g. acme:k-acme-1' }).min(1, 'is required: comma-separated tenant:key pairs, e.g. acme:k-acme-1'),
  /** Largest accepted JSON body. Default 10mb. */
  PARSIMONY_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'a size like 512kb or 10mb')
    .default('10mb'),
  /** Attempts the synchronous fast path makes on retryable provider errors. Default 3. */
  PARSIMONY_SYNC_ATTEMPTS: positiveInt.default(3),
  /**
   * Longest provider cooldown (after a 429, shared with the queued path) a synchronous request waits out before
   * calling the provider, ms; a longer one answers 429 with retry-after at once. 0 = never wait. Default 2000.
   */
  PARSIMONY_SYNC_COOLDOWN_WAIT_MS: z.coerce.number().int().min(0).default(2_000),
  /**
   * How often this producer renews its heartbeat, ms. Its in-process (sync) jobs are failed by the other producers
   * once the heartbeat is 4× this old (it died mid-call). Default 5000.
   */
  PARSIMONY_PRODUCER_HEARTBEAT_MS: positiveInt.default(5_000),
  /** How long an embeddings answer is served again from the tenant's exact cache, seconds (PARSIMONY_CACHE=off turns it off). Default 604800 (7 days). */
  PARSIMONY_EMBEDDINGS_CACHE_TTL_SECONDS: positiveInt.default(604_800),
  /** Signing secret (whsec_…) of OpenAI's batch webhooks received at POST /webhooks/openai. Unset (default): that route answers 404. */
  OPENAI_WEBHOOK_SECRET: optionalString,
  /** How long stored Responses (store: true, for previous_response_id and GET /v1/responses/:id) are kept, in seconds. Default 30 days, like OpenAI's. */
  PARSIMONY_RESPONSE_RETENTION_SECONDS: positiveInt.default(30 * 24 * 3600),
  ...OpsEnvSchema.shape,
  ...BatchApiEnvSchema.shape,
});

export const WorkerEnvSchema = z.object({
  /** Jobs one router-worker runs at once (they wait on providers, so many). Default 32. */
  PARSIMONY_WORKER_CONCURRENCY: positiveInt.default(32),
  /** How often BullMQ checks for jobs whose worker died, in ms. Default 30000. */
  PARSIMONY_STALLED_INTERVAL_MS: positiveInt.default(30_000),
  /** How long a worker's lock on a job lasts without renewal; a dead worker's job is re-delivered after it. Default 30000. */
  PARSIMONY_JOB_LOCK_MS: positiveInt.default(30_000),
});

/** The all-in-one (`npm start`) only: how it spreads over the machine. */
export const AllInOneEnvSchema = z.object({
  /**
   * Pipeline workers (router-workers) of the all-in-one: the first runs in the main process, each other one is a child
   * process (services/all-in-one/worker-children.ts). Default: cores − 1, at least 1 (one core is left to the main
   * process's HTTP intake, the cache's one writer and the batch-submitter).
   */
  PARSIMONY_WORKERS: positiveInt.default(() => Math.max(1, availableParallelism() - 1)),
});

/** Empty strings (e.g. docker compose `${X:-}`) count as unset. */
const optionalPositiveInt = z.preprocess((v) => (v === '' ? undefined : v), positiveInt.optional());
const seconds = z.coerce.number().nonnegative();

/** The batch lever's batch-submitter: packing deferred jobs into provider batches, polling them, deadlines. */
export const BatchEnvSchema = z.object({
  /** Longest a deferred job waits for its provider batch to fill before the batch is sent anyway, in seconds. Default 60. */
  PARSIMONY_BATCH_MAX_WAIT_SECONDS: seconds.default(60),
  /** Cap on requests per provider batch, below the provider's own limit (OpenAI 50,000, Anthropic 100,000). Default: the provider's. */
  PARSIMONY_PROVIDER_BATCH_MAX_REQUESTS: optionalPositiveInt,
  /** Cap on bytes per provider batch, below the provider's own limit (OpenAI 200 MB, Anthropic 256 MB). Default: the provider's. */
  PARSIMONY_PROVIDER_BATCH_MAX_BYTES: optionalPositiveInt,
  /** How often pending groups are checked for a flush and deferred jobs for their deadline, in ms. Default 1000. */
  PARSIMONY_BATCH_FLUSH_INTERVAL_MS: positiveInt.default(1_000),
  /** First check of a submitted provider batch and the base of its polling backoff, in seconds. Default 30. */
  PARSIMONY_BATCH_POLL_SECONDS: z.coerce.number().positive().default(30),
  /** Longest wait between two checks of one provider batch, in seconds. Default 300. */
  PARSIMONY_BATCH_POLL_MAX_SECONDS: z.coerce.number().positive().default(300),
  /** A job still waiting on a provider batch this long before its deadline runs synchronously instead, in seconds. Default 300. */
  PARSIMONY_BATCH_DEADLINE_MARGIN_SECONDS: seconds.default(300),
  /** How long a provider batch is expected to take: a group is sent early enough for its tightest deadline, in seconds. Default 1800. */
  PARSIMONY_BATCH_TURNAROUND_SECONDS: seconds.default(1_800),
  /** Warm the provider's prompt cache with one synchronous request before a provider batch whose requests share a long prefix ("on" / "off"). Default on. */
  PARSIMONY_BATCH_WARMUP: z.enum(['on', 'off']).default('on'),
  /** How long a submitter's claim on a batch in progress lasts unrenewed; a dead submitter's work is taken over after it, in seconds. Default 60. */
  PARSIMONY_BATCH_LEASE_SECONDS: z.coerce.number().positive().default(60),
});

export type CommonEnv = z.infer<typeof CommonEnvSchema>;
export type BatchEnv = z.infer<typeof BatchEnvSchema>;
export type ProducerEnv = z.infer<typeof ProducerEnvSchema>;
export type WorkerEnv = z.infer<typeof WorkerEnvSchema>;
export type BatchApiEnv = z.infer<typeof BatchApiEnvSchema>;
export type NotificationsEnv = z.infer<typeof NotificationsEnvSchema>;

/** Thrown when the environment is invalid; its message is the one line to print. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses `env` with `schema`; the error names the first bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv | Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = issue.path.join('.') || '(environment)';
  throw new ConfigError(`invalid configuration: ${variable} ${issue.message}`);
}
