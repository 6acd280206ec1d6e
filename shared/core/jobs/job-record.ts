import type { Tier } from '../catalog/catalog';
import type { CacheRequestOptions } from '../../levers/cache/cache-options';
import type { CostLedgerState } from '../accounting/cost-ledger';
import type { ChatRequest, ChatResponse, Usage } from '../chat-model';
import type { Surface } from '../../surfaces/surface';
import type { ApiErrorType } from '../errors/api-error';

export const JOB_STATUSES = ['queued', 'running', 'deferred', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export type Latency = 'sync' | 'async' | 'batch';

/** What the caller asked for, besides the chat request itself. */
export interface JobOptions {
  /** Model the caller asked for: a catalog id or "auto". */
  requested_model: string;
  task?: string;
  latency: Latency;
  /** Absolute deadline, ISO-8601. */
  deadline?: string;
  callback_url?: string;
  metadata?: Record<string, unknown>;
  idempotency_key?: string;
  /** Never route below / above these tiers. */
  min_tier?: Tier;
  max_tier?: Tier;
  /** Semantic cache option for this request (mode, ttl, threshold). */
  cache?: CacheRequestOptions;
  /** The caller asked for a streamed answer (fast path only). */
  stream?: boolean;
  /** The Parsimony batch (OpenAI-compatible Batch API) this job is a line of. */
  batch_id?: string;
  /** The line's custom_id within that batch. */
  custom_id?: string;
  /** The wire format the request arrived in (default `chat_completions`); the answer is shown in the same one. */
  surface?: Surface;
  /** Fields of the caller's body that the surface echoes in its answer (e.g. a Response's instructions, tools, store). */
  surface_echo?: Record<string, unknown>;
}

export interface RouteDecision {
  model: string;
  provider: string;
  tier: Tier;
  reason: string;
  /** Router score in [0, 1] (higher = harder), when a learned router decided. */
  score?: number;
  /** The task the router assumed (the hint, else the detected task), when it routed; shadow agreement is grouped by it. */
  task?: string;
  /** The processing tier the batch lever chose (standard / flex / batch) and why, from the job's latency budget. */
  processing?: { tier: 'standard' | 'flex' | 'batch'; reason: string };
}

/** Per-lever savings in USD, in the fixed waterfall order. */
export interface LeverSavings {
  routing: number;
  cache: number;
  context: number;
  compression: number;
  prompt_cache: number;
  batch: number;
}

export interface JobCost {
  /** The request as sent, on the catalog's default frontier model, synchronous, no lever. */
  baseline_usd: number;
  actual_usd: number;
  saved_usd: number;
  /** Spend the levers themselves caused (embeddings, summaries, escalations, shadow runs). */
  overhead_usd: number;
  by_lever: LeverSavings;
  /**
   * Provider caching the request as sent would have had anyway (OpenAI's
   * automatic prefix caching, the caller's own cache_control markers): already
   * taken off `baseline_usd`, so it is never counted as Parsimony's saving.
   */
  provider_cache_anyway_usd?: number;
}

export interface JobError {
  /** What failed, in the API's error vocabulary (shared/core/errors/job-error-http.ts maps it to HTTP). */
  type: ApiErrorType;
  message: string;
  /** HTTP status the provider answered with, when a provider call failed. */
  provider_status?: number;
  /** The provider's requested wait, when it rate-limited us. */
  retry_after_seconds?: number;
}

/**
 * A job as stored in Redis. The request body lives here (not in the queue
 * payload), so queue entries stay small and a retried job reads the same
 * request.
 */
export interface JobRecord {
  id: string;
  tenant: string;
  status: JobStatus;
  created_at: string;
  started_at?: string;
  completed_at?: string;
  options: JobOptions;
  /** The request as the client sent it, in the provider-neutral shape. */
  request: ChatRequest;
  route?: RouteDecision;
  /** The answer in the job's surface format (a chat completion, a Response, a Message, …): what the caller gets. */
  response?: Record<string, unknown>;
  /** The answer in the provider-neutral shape, kept whole (reasoning, every choice) so any surface can be rebuilt from it. */
  result?: ChatResponse;
  error?: JobError;
  usage?: Usage;
  cost?: JobCost;
  /** Number of times a worker started this job (at-least-once delivery shows here). */
  attempts: number;
  /** Which stage ended the pipeline (e.g. "execute", "cache"). */
  delivered_by?: string;
  /** Facts the levers recorded (e.g. `cache`, `context`, `batch`), shown on the public job. */
  annotations?: Record<string, unknown>;
  /** Set when the batch lever defers the job: what finishing it later needs. Internal, never shown publicly. */
  deferred?: DeferredWork;
}

/** A deferred job's pending work, written by the defer stage and read by the batch-submitter. */
export interface DeferredWork {
  /** The request as the levers shaped it (routed model, compacted, compressed): what the provider batch sends. */
  request: ChatRequest;
  /** The cost ledger at deferral, so the levers' savings are priced when the batch result arrives. */
  ledger: CostLedgerState;
  /** Why the job was deferred. */
  reason: string;
  /** When it was deferred, ISO-8601. */
  at: string;
}

/** The public view returned by GET /v1/jobs/:id. */
export function toPublicJob(job: JobRecord) {
  return {
    id: job.id,
    object: 'job' as const,
    status: job.status,
    created_at: job.created_at,
    completed_at: job.completed_at ?? null,
    latency: job.options.latency,
    deadline: job.options.deadline ?? null,
    task: job.options.task ?? null,
    metadata: job.options.metadata ?? null,
    route: job.route ?? null,
    response: job.response ?? null,
    error: job.error ?? null,
    usage: job.usage ?? null,
    cost: job.cost ?? null,
    attempts: job.attempts,
    delivered_by: job.delivered_by ?? null,
    ...job.annotations,
  };
}
export type PublicJob = ReturnType<typeof toPublicJob>;
