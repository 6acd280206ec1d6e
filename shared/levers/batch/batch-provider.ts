import type { ModelEntry } from '../../core/catalog/catalog';
import type { JobError } from '../../core/jobs/job-record';
import type { ChatRequest, ChatResponse } from '../../core/chat-model';

/**
 * One provider's batch API client. Each lives in its provider's folder
 * (shared/providers/<name>/batch-client.ts, batch-lines.ts, batch-results.ts),
 * built on the provider's official SDK, and is the `batch` part of the
 * provider's definition in its index.ts (listed in shared/providers/registry.ts).
 * Methods never retry (the submitter's backoff does) and throw ProviderError.
 */
export interface BatchProvider {
  /** Catalog `provider` value, e.g. "openai". */
  readonly name: string;
  /** The provider's hard limits per batch. */
  readonly limits: BatchLimits;
  /**
   * The request as it will appear in the batch (a JSONL line for OpenAI, one
   * element of the `requests` array for Anthropic), without a trailing newline.
   * Its byte length is what packing counts.
   */
  encodeLine(customId: string, request: ChatRequest, model: ModelEntry): string;
  /**
   * Optional first step: upload the lines (OpenAI input file). Returns a
   * reference the intent records, so a retry after a crash reuses it.
   */
  stage?(intent: IntentView, lines: () => AsyncIterable<string>): Promise<string>;
  /** Creates the provider batch; `staged` is what `stage` returned. Tags it with the intent id where the API allows. */
  create(intent: IntentView, staged: string | undefined, lines: () => AsyncIterable<string>): Promise<ProviderBatchRef>;
  /**
   * Reconciliation: the provider batch an earlier, unconfirmed attempt of this
   * intent created, if any. `skip(id)` says a batch is known not to be this
   * intent's (another intent's, or found foreign before).
   */
  find(intent: IntentView, skip: (providerBatchId: string) => Promise<boolean>): Promise<FindResult>;
  retrieve(providerBatchId: string): Promise<ProviderBatchState>;
  /** Streams the results, in whatever order the provider wrote them. Only for an ended batch. */
  results(state: ProviderBatchState): AsyncIterable<BatchLineResult>;
  /** The custom_id of one result line (to verify a tentatively matched batch), or undefined when there are none. */
  firstCustomId(state: ProviderBatchState): Promise<string | undefined>;
  cancel(providerBatchId: string): Promise<void>;
  /** Frees what the provider keeps for an ended batch (input/output files). Best effort. */
  release?(state: ProviderBatchState, intent: IntentView): Promise<void>;
}

export interface BatchLimits {
  maxRequests: number;
  maxBytes: number;
}

/** What a provider needs to know about an intent. */
export interface IntentView {
  id: string;
  provider: string;
  /** Catalog model id. */
  model: string;
  size: number;
  /** When the intent was recorded, ms. */
  createdAt: number;
  /** Submission attempts made before this one (> 0: an earlier attempt may have reached the provider). */
  attempts: number;
  /** What `stage` returned on an earlier attempt. */
  staged?: string;
}

export interface ProviderBatchRef {
  id: string;
}

export type FindResult =
  | { kind: 'none' }
  /** `tentative`: matched on counts and time only; verified by custom_id when the batch ends. */
  | { kind: 'found'; id: string; tentative: boolean }
  /** Could not tell (a candidate whose requests cannot be read yet); ask again later. */
  | { kind: 'undecided' };

export interface ProviderBatchState {
  id: string;
  /** The provider's own status word (validating, in_progress, ended, …). */
  status: string;
  /** True when the batch will not change any more and its results can be read. */
  ended: boolean;
  /** For an ended batch: how it ended. */
  outcome?: 'completed' | 'expired' | 'cancelled' | 'failed';
  /** Batch-level errors of a batch that failed validation, by 1-based line when known. */
  errors?: { line: number | null; message: string }[];
  /** Provider-specific handles (OpenAI output/error file ids). */
  files?: { output?: string | null; error?: string | null; input?: string | null };
}

export type BatchLineResult = { customId: string; kind: 'succeeded'; response: ChatResponse } | { customId: string; kind: 'errored'; error: JobError; retryable: boolean };

/**
 * custom_id = `<intent id>-<job id>`: valid for both providers
 * (^[a-zA-Z0-9_-]{1,64}$), self-describing for reconciliation (the prefix
 * names the intent) and for fan-out (the rest names the job).
 */
export const CUSTOM_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

export function customIdOf(intentId: string, jobId: string): string {
  return `${intentId}-${jobId}`;
}

/** Splits a custom_id made by customIdOf; undefined for anything else. */
export function parseCustomId(customId: string): { intentId: string; jobId: string } | undefined {
  const dash = customId.indexOf('-');
  if (dash <= 0 || dash === customId.length - 1) return undefined;
  return { intentId: customId.slice(0, dash), jobId: customId.slice(dash + 1) };
}
