import { z } from 'zod';

/**
 * Environment schemas, one per concern, validated once at start-up. A bad
 * variable stops the process with one line naming it; nothing reads
 * process.env anywhere else.
 */

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const optionalUrl = z.url().optional().or(z.literal('').transform(() => undefined));
const optionalString = z.string().optional().or(z.literal('').transform(() => undefined));

export const CommonEnvSchema = z.object({
  /** Redis connection URL. Default redis://127.0.0.1:6379. */
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key and BullMQ queue; lets several deployments (or test files) share one Redis. Default "parsimony". */
  PARSIMONY_QUEUE_PREFIX: z.string().regex(/^[a-zA-Z0-9_.-]+$/, 'letters, digits, _ . - only').default('parsimony'),
  /** pino level. Default info. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Where embedded indexes and converted embeddings live. Default ./data. */
  PARSIMONY_DATA_DIR: z.string().default('./data'),
  /** Path of a model catalog replacing the shipped shared/catalog/models.json. */
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
});

export const ProducerEnvSchema = z.object({
  /** HTTP port of the producer. Default 8080. */
  PORT: port.default(8080),
  /** Interface to listen on. Default 127.0.0.1 (set 0.0.0.0 in containers). */
  HOST: z.string().default('127.0.0.1'),
  /** Comma-separated tenant:key pairs, e.g. "acme:k-acme-1,globex:k-globex-1". */
  PARSIMONY_API_KEYS: z
    .string({ message: 'is required: comma-separated tenant:key pairs, e.g. acme:k-acme-1' })
    .min(1, 'is required: comma-separated tenant:key pairs, e.g. acme:k-acme-1'),
  /** Largest accepted JSON body. Default 10mb. */
  PARSIMONY_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'a size like 512kb or 10mb').default('10mb'),
  /** Attempts the synchronous fast path makes on retryable provider errors. Default 3. */
  PARSIMONY_SYNC_ATTEMPTS: positiveInt.default(3),
});

export const WorkerEnvSchema = z.object({
  /** Jobs one router-worker runs at once (they wait on providers, so many). Default 32. */
  PARSIMONY_WORKER_CONCURRENCY: positiveInt.default(32),
  /** How often BullMQ checks for jobs whose worker died, in ms. Default 30000. */
  PARSIMONY_STALLED_INTERVAL_MS: positiveInt.default(30_000),
  /** How long a worker's lock on a job lasts without renewal; a dead worker's job is re-delivered after it. Default 30000. */
  PARSIMONY_JOB_LOCK_MS: positiveInt.default(30_000),
});

export type CommonEnv = z.infer<typeof CommonEnvSchema>;
export type ProducerEnv = z.infer<typeof ProducerEnvSchema>;
export type WorkerEnv = z.infer<typeof WorkerEnvSchema>;

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
