import { runPaced } from '../batch-pacer';
import type { SimState } from '../context';
import { SimError, errorBody } from '../errors';
import type { BatchFault } from '../faults';
import { nowSeconds, randomHex, randomId, seedOf } from '../prng';
import { parseBatchInput, type BatchLine } from './batch-input';
import { overrideAnswer, runChat } from './chat';
import { runEmbeddings } from './embeddings';
import type { StoredFile } from './file-store';
import { BatchCacheView } from '../prompt-cache';

/**
 * OpenAI batches and their lifecycle, compressed into `batchSeconds`:
 * validating (first 10%) → in_progress (requests run spread over the next
 * 70%) → finalizing → completed, with output and error files written as
 * OpenAI does. Cancel goes cancelling → cancelled; a batch fault can make a
 * batch expire or fail a share of its requests. Terminal states fire the
 * batch webhook.
 */

export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

export interface BatchObject {
  id: string;
  object: 'batch';
  endpoint: string;
  model: string | null;
  errors: { object: 'list'; data: { code: string; message: string; param: string | null; line: number | null }[] } | null;
  input_file_id: string;
  completion_window: string;
  status: BatchStatus;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  usage: { input_tokens: number; input_tokens_details: { cached_tokens: number }; output_tokens: number; output_tokens_details: { reasoning_tokens: number }; total_tokens: number };
  metadata: Record<string, string> | null;
}

interface BatchRun {
  batch: BatchObject;
  fault?: BatchFault;
  lines: BatchLine[];
  output: string[];
  errorLines: string[];
  done: Set<number>;
  /** The prompt cache as this batch's requests see it: no reads of each other's writes. */
  cache: BatchCacheView;
  /** Set by reset/close: every pending step becomes a no-op. */
  dead: boolean;
}

export const SUPPORTED_ENDPOINTS = ['/v1/chat/completions', '/v1/embeddings'];

export class OpenAIBatchStore {
  private readonly runs = new Map<string, BatchRun>();

  constructor(private readonly sim: SimState) {}

  create(file: StoredFile, endpoint: string, metadata: Record<string, string> | null, fault: BatchFault | undefined): BatchObject {
    const now = nowSeconds();
    const batch: BatchObject = {
      id: randomHex('batch_', 32),
      object: 'batch',
      endpoint,
      model: null,
      errors: null,
      input_file_id: file.id,
      completion_window: '24h',
      status: 'validating',
      output_file_id: null,
      error_file_id: null,
      created_at: now,
      in_progress_at: null,
      expires_at: now + 24 * 3600,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      usage: { input_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0 },
      metadata,
    };
    const run: BatchRun = { batch, fault, lines: [], output: [], errorLines: [], done: new Set(), cache: new BatchCacheView(this.sim.promptCache), dead: false };
    this.runs.set(batch.id, run);
    this.sim.stats.batchCreated();
    const windowMs = this.sim.tiers.batchWindowMs('openai', this.sim.batchSeconds);
    this.sim.scheduler.after(windowMs * 0.1, () => this.validate(run, file, windowMs));
    return batch;
  }

  get(id: string): BatchObject | undefined {
    return this.runs.get(id)?.batch;
  }

  /** Newest first. */
  list(): BatchObject[] {
    return [...this.runs.values()].map((r) => r.batch).reverse();
  }

  cancel(id: string): BatchObject {
    const run = this.runs.get(id);
    if (!run) throw notFound(id);
    const { batch } = run;
    if (batch.status !== 'validating' && batch.status !== 'in_progress' && batch.status !== 'finalizing') throw new SimError(409, `Cannot cancel a batch with status '${batch.status}'.`);
    batch.status = 'cancelling';
    batch.cancelling_at = nowSeconds();
    this.sim.scheduler.after(Math.min(1000, this.sim.batchSeconds * 100), () => this.finish(run, 'cancelled'));
    return batch;
  }

  clear(): void {
    for (const run of this.runs.values()) run.dead = true;
    this.runs.clear();
  }

  private validate(run: BatchRun, file: StoredFile, windowMs: number): void {
    if (run.dead || run.batch.status !== 'validating') return;
    const { lines, errors, model } = parseBatchInput(file, run.batch.endpoint);
    const { batch } = run;
    batch.model = model ?? null;
    if (errors.length) {
      batch.errors = { object: 'list', data: errors };
      batch.status = 'failed';
      batch.failed_at = nowSeconds();
      this.sim.webhooks?.batchEvent('batch.failed', batch.id);
      return;
    }
    run.lines = lines;
    batch.status = 'in_progress';
    batch.in_progress_at = nowSeconds();
    batch.request_counts.total = lines.length;
    const failing = pickFailing(lines, run.fault?.error_share ?? 0);
    const runnable = run.fault?.expire ? Math.round(lines.length * (run.fault.completed_share ?? 0)) : lines.length;
    runPaced(this.sim.scheduler, {
      total: runnable,
      windowMs: windowMs * 0.7,
      stopped: () => run.dead || batch.status !== 'in_progress',
      run: (i) => this.runLine(run, i, failing.has(i)),
      done: () => {
        if (run.dead || batch.status !== 'in_progress') return;
        if (run.fault?.expire) return void this.sim.scheduler.after(windowMs * 0.2, () => this.finish(run, 'expired'));
        batch.status = 'finalizing';
        batch.finalizing_at = nowSeconds();
        this.sim.scheduler.after(windowMs * 0.2, () => this.finish(run, 'completed'));
      },
    });
  }

  private runLine(run: BatchRun, index: number, fail: boolean): void {
    const line = run.lines[index];
    const requestId = randomHex('', 32);
    let statusCode = 200;
    let body: unknown;
    try {
      if (fail) throw new SimError(500, 'The server had an error while processing your request. Sorry about that!');
      if (run.batch.endpoint === '/v1/embeddings') body = runEmbeddings(this.sim, line.body, true);
      else {
        const { completion } = runChat(this.sim, line.body, true, run.cache);
        const model = (line.body as { model?: unknown }).model;
        const override = this.sim.faults.takeBatchLineAnswer(run.batch.endpoint, typeof model === 'string' ? model : undefined, JSON.stringify(line.body));
        if (override) overrideAnswer(completion, override);
        const u = run.batch.usage;
        u.input_tokens += completion.usage.prompt_tokens;
        u.input_tokens_details.cached_tokens += completion.usage.prompt_tokens_details.cached_tokens;
        u.output_tokens += completion.usage.completion_tokens;
        u.total_tokens += completion.usage.total_tokens;
        body = completion;
      }
    } catch (err) {
      const error = err instanceof SimError ? err : new SimError(500, (err as Error).message);
      statusCode = error.status;
      body = errorBody('openai', error, requestId);
    }
    const out = JSON.stringify({ id: randomId('batch_req_', 24), custom_id: line.custom_id, response: { status_code: statusCode, request_id: requestId, body }, error: null });
    if (statusCode === 200) {
      run.output.push(out);
      run.batch.request_counts.completed += 1;
    } else {
      run.errorLines.push(out);
      run.batch.request_counts.failed += 1;
    }
    run.done.add(index);
  }

  /** Writes the files and enters a terminal state; requests that never ran get an error line. */
  private finish(run: BatchRun, status: 'completed' | 'expired' | 'cancelled'): void {
    if (run.dead) return;
    const { batch } = run;
    if (status === 'completed' && batch.status !== 'finalizing') return;
    if (status === 'expired' && batch.status !== 'in_progress') return;
    const code = status === 'expired' ? 'batch_expired' : 'batch_cancelled';
    const message = status === 'expired' ? 'This request could not be executed before the completion window expired.' : 'This request was cancelled before it could be executed.';
    run.lines.forEach((line, i) => {
      if (run.done.has(i)) return;
      run.errorLines.push(JSON.stringify({ id: randomId('batch_req_', 24), custom_id: line.custom_id, response: null, error: { code, message } }));
      batch.request_counts.failed += 1;
    });
    const base = batch.id;
    if (run.output.length) batch.output_file_id = this.sim.files.add(`${base}_output.jsonl`, 'batch_output', toChunks(run.output)).id;
    if (run.errorLines.length) batch.error_file_id = this.sim.files.add(`${base}_error.jsonl`, 'batch_output', toChunks(run.errorLines)).id;
    run.output = [];
    run.errorLines = [];
    run.cache.commit();
    const now = nowSeconds();
    batch.status = status;
    if (status === 'completed') batch.completed_at = now;
    else if (status === 'expired') batch.expired_at = now;
    else batch.cancelled_at = now;
    this.sim.log.debug({ batch: batch.id, status, counts: batch.request_counts }, 'openai batch finished');
    this.sim.webhooks?.batchEvent(`batch.${status}`, batch.id);
  }
}

export function notFound(id: string): SimError {
  return new SimError(404, `No batch found with id '${id}'.`, { param: 'batch_id' });
}

/** Deterministic choice of exactly round(share × n) requests to fail. */
export function pickFailing(lines: { custom_id: string }[], share: number): Set<number> {
  const count = Math.round(lines.length * share);
  if (count <= 0) return new Set();
  const ranked = lines.map((l, i) => ({ i, h: seedOf(l.custom_id) })).sort((a, b) => a.h - b.h || a.i - b.i);
  return new Set(ranked.slice(0, count).map((r) => r.i));
}

/** Lines → JSONL buffers of bounded size (no single giant string). */
function toChunks(lines: string[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < lines.length; i += 1000) chunks.push(Buffer.from(lines.slice(i, i + 1000).join('\n') + '\n', 'utf8'));
  return chunks;
}
