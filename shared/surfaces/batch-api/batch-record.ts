import { randomBytes } from 'node:crypto';

export const BATCH_STATUSES = ['validating', 'failed', 'in_progress', 'finalizing', 'completed', 'expired', 'cancelling', 'cancelled'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
export const FINAL_BATCH_STATUSES: readonly BatchStatus[] = ['failed', 'completed', 'expired', 'cancelled'];
/** Statuses a batch's lines still count in. */
export const OPEN_BATCH_STATUSES: readonly BatchStatus[] = ['validating', 'in_progress', 'cancelling'];

/** Where a finalizing batch ends. */
export type BatchEnd = 'completed' | 'expired' | 'cancelled';

const BATCH_ID = /^batch_[A-Za-z0-9_-]{1,64}$/;

export function newBatchId(): string {
  return `batch_${randomBytes(18).toString('base64url')}`;
}

export function isBatchId(id: string): boolean {
  return BATCH_ID.test(id);
}

/** What a batch was created with; never changes. */
export interface BatchMeta {
  id: string;
  tenant: string;
  endpoint: string;
  input_file_id: string;
  completion_window: string;
  /** Unix seconds. */
  created_at: number;
  /** Unix seconds: created_at + completion window. */
  expires_at: number;
  metadata: Record<string, string> | null;
  /** metadata.callback_url, checked at creation. */
  callback_url?: string;
}

export interface BatchUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface BatchCost {
  baseline_usd: number;
  actual_usd: number;
  saved_usd: number;
}

export interface BatchErrorEntry {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

/** A batch as stored: its meta, status, counters and timestamps. */
export interface StoredBatch {
  meta: BatchMeta;
  status: BatchStatus;
  /** Lines in the input (valid + invalid); 0 until validation ends. */
  total: number;
  completed: number;
  /** Failed, cancelled and invalid lines. */
  failed: number;
  /** Valid lines (jobs created). */
  lines: number;
  /** Lines handed to the pipeline queue so far (the feeder's position). */
  fed: number;
  /** Validation finished and the lines were queued. */
  opened: boolean;
  /** A cancelling batch's cancel task has been through all its lines. */
  linesCancelled: boolean;
  /** Set while finalizing: where the batch ends. */
  end?: BatchEnd;
  times: Partial<Record<'in_progress_at' | 'finalizing_at' | 'completed_at' | 'failed_at' | 'expired_at' | 'cancelling_at' | 'cancelled_at', number>>;
  output_file_id: string | null;
  error_file_id: string | null;
  errors: BatchErrorEntry[] | null;
  usage: BatchUsage | null;
  cost: BatchCost | null;
}

/** The OpenAI Batch object (plus Parsimony's `cost` once finished). */
export function toOpenAIBatch(b: StoredBatch) {
  const t = (name: keyof StoredBatch['times']) => b.times[name] ?? null;
  return {
    id: b.meta.id,
    object: 'batch' as const,
    endpoint: b.meta.endpoint,
    model: null,
    errors: b.errors ? { object: 'list' as const, data: b.errors } : null,
    input_file_id: b.meta.input_file_id,
    completion_window: b.meta.completion_window,
    status: b.status,
    output_file_id: b.output_file_id,
    error_file_id: b.error_file_id,
    created_at: b.meta.created_at,
    in_progress_at: t('in_progress_at'),
    expires_at: b.meta.expires_at,
    finalizing_at: t('finalizing_at'),
    completed_at: t('completed_at'),
    failed_at: t('failed_at'),
    expired_at: t('expired_at'),
    cancelling_at: t('cancelling_at'),
    cancelled_at: t('cancelled_at'),
    request_counts: { total: b.total, completed: b.completed, failed: b.failed },
    usage: b.usage ?? emptyBatchUsage(),
    metadata: b.meta.metadata,
    cost: b.cost,
  };
}
export type OpenAIBatch = ReturnType<typeof toOpenAIBatch>;

export function emptyBatchUsage(): BatchUsage {
  return { input_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0 };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/**
 * Parses a completion window: "24h" like OpenAI, or a shorter one ("1h",
 * "30m", "90s") that Parsimony meets with its deadline fallback.
 */
export function parseCompletionWindow(value: string): { seconds: number } | { error: string } {
  const match = /^(\d{1,6})([smh])$/.exec(value);
  const message = 'completion_window must be "24h" or a shorter window like "1h", "30m" or "90s"';
  if (!match) return { error: message };
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2]];
  if (seconds < 1 || seconds > 24 * 3600) return { error: message };
  return { seconds };
}
