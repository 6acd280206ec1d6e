import type { Logger } from 'pino';
import type { ModelEntry } from './catalog/catalog';
import type { ChatRequest, ChatResponse, StreamEvent } from './chat-model';
import type { JobRecord, RouteDecision } from './jobs/job-record';
import type { CostLedger } from './accounting/cost-ledger';

/**
 * The contract every pipeline stage implements. A stage reads and may rewrite
 * `ctx.request` (the request that will be executed) and either lets the chain
 * go on, finishes the job itself (a cache hit, the provider call), or defers
 * it (to a provider batch). Stages never touch Redis job records or queues of
 * other services directly; services do that with the outcome.
 */
export interface PipelineContext {
  /** The stored job: id, tenant, options, and the request exactly as the client sent it. */
  readonly job: JobRecord;
  /** The request as the stages have shaped it so far. */
  request: ChatRequest;
  /** Set by the route stage. */
  route?: RouteDecision;
  /** Catalog entry of `route.model`. */
  model?: ModelEntry;
  /** Token and USD adjustments each lever records, turned into the job's cost at the end. */
  readonly ledger: CostLedger;
  /** Fast-path streaming: when set, the execute stage streams events here as they arrive. */
  readonly onStreamEvent?: (event: StreamEvent) => void;
  /** Free-form per-stage facts stored on the job (e.g. `cache: { hit, kind }`). */
  readonly annotations: Record<string, unknown>;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  /**
   * Work a stage started and did not wait for (e.g. a Redis read that then
   * fills the ledger), so its round trip leaves together with the next
   * stages' instead of before them. The pipeline waits for it before any
   * stage that is not `independent`, and before pricing the job. Never rejects.
   */
  pending?: Promise<void>[];
}

export type StageOutcome =
  | { kind: 'continue' }
  /** The job is answered; `deliveredBy` names the stage (e.g. "cache", "execute"). */
  | { kind: 'complete'; response: ChatResponse; deliveredBy: string }
  /** The job will be answered later (e.g. by a provider batch); the pipeline stops here. */
  | { kind: 'defer'; reason: string };

export interface Stage {
  /** Short stable name, used in logs, metrics and `delivered_by`. */
  readonly name: string;
  /**
   * Runs without waiting for `ctx.pending`: it neither reads the ledger nor
   * the annotations earlier stages fill (it may add its own). Default false.
   */
  readonly independent?: boolean;
  run(ctx: PipelineContext): Promise<StageOutcome>;
  /**
   * Optional hook after the job's result is stored (off the hot path for
   * the caller, e.g. enqueue a cache write). Errors here are logged, never
   * fail the job.
   */
  afterComplete?(ctx: PipelineContext, response: ChatResponse): Promise<void>;
  /**
   * Optional: rebuilds what this stage keeps in memory between run() and
   * afterComplete, for a job that finished elsewhere (a provider batch
   * answered it in another process) on a context rebuilt from its record.
   * `request` is the request as this stage saw it in run().
   */
  restore?(ctx: PipelineContext, request: ChatRequest): Promise<void>;
  /** Optional hook when the job fails (or will be retried) after this stage ran, e.g. release a lock early. */
  onFailed?(ctx: PipelineContext): Promise<void>;
}

export const CONTINUE: StageOutcome = Object.freeze({ kind: 'continue' }) as StageOutcome;
