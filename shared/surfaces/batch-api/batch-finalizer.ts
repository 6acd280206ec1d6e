import type { Logger } from 'pino';
import type { JobRecord } from '../../core/jobs/job-record';
import type { JobStore } from '../../core/jobs/job-store';
import type { JobOutcomes } from '../../core/jobs/job-outcomes';
import { failedLine, notRunLine, outputLine } from './batch-output';
import { emptyBatchUsage, FINAL_BATCH_STATUSES, type BatchCost, type BatchEnd, type StoredBatch } from './batch-record';
import type { BatchStore } from './batch-store';
import { cancelLines } from './cancel-lines';
import type { FileStore, FileWriter } from './file-store';

const CHUNK = 500;
const LEASE_MS = 120_000;

export interface BatchFinalizerDeps {
  batches: BatchStore;
  files: FileStore;
  store: JobStore;
  outcomes: JobOutcomes;
  /** Seconds finished batches and their files are kept. */
  retentionSeconds: number;
  /** Called once a batch is final (again after a crash: it must be idempotent), e.g. to fire its webhook. */
  onFinal: (batch: StoredBatch) => Promise<void>;
  log: Logger;
}

export type FinalizeResult = 'gone' | 'not_ready' | 'busy' | StoredBatch['status'];

/** Output/error file ids of a batch: fixed, so a finalization redone after a crash replaces rather than duplicates. */
export function batchFileIds(batchId: string): { output: string; error: string } {
  const base = batchId.replace(/^batch_/, '');
  return { output: `file-${base}-output`, error: `file-${base}-errors` };
}

/**
 * Ends a batch once every line is final (completed), when the cancel has
 * settled (cancelled) or when its window closed first (expired): writes the
 * output file (completed lines) and the error file (failed, cancelled,
 * unfinished and invalid lines, in input order), sets the final status and
 * counts, and calls `onFinal`. One finalizer at a time per batch (a lease);
 * a finalizer that dies is resumed by the sweeper.
 */
export class BatchFinalizer {
  constructor(private readonly deps: BatchFinalizerDeps) {}

  async run(batchId: string, now = Date.now()): Promise<FinalizeResult> {
    const { batches } = this.deps;
    const batch = await batches.load(batchId);
    if (!batch) return 'gone';
    if (FINAL_BATCH_STATUSES.includes(batch.status)) {
      await this.deps.onFinal(batch);
      await batches.retire(batchId, batch.meta.tenant, this.deps.retentionSeconds);
      return batch.status;
    }
    const end = this.endOf(batch, now);
    if (!end) return 'not_ready';
    if (!(await batches.takeLease(batchId, 'finalize', LEASE_MS))) return 'busy';
    try {
      if (batch.status !== 'finalizing') {
        const moved = await batches.transition(batchId, [batch.status], 'finalizing', { end, finalizing_at: Math.floor(now / 1000) });
        if (!moved.ok) return moved.status ? 'busy' : 'gone';
      }
      // Lines that have not run yet must not run after the batch ended.
      if (end !== 'completed') await cancelLines(batches, this.deps.outcomes, batchId, ['queued', 'deferred'], () => batches.renewLease(batchId, 'finalize', LEASE_MS));
      const summary = await this.writeFiles(batch, end);
      const at = Math.floor(Date.now() / 1000);
      await batches.transition(batchId, ['finalizing'], end, {
        [`${end}_at`]: at,
        completed: summary.completed,
        failed: batch.total - summary.completed,
        output_file_id: summary.outputFileId ?? '',
        error_file_id: summary.errorFileId ?? '',
        usage: JSON.stringify(summary.usage),
        cost: JSON.stringify(summary.cost),
      });
      const final = await batches.load(batchId);
      if (final) {
        this.deps.log.info({ batchId, status: final.status, completed: final.completed, failed: final.failed }, 'batch finished');
        await this.deps.onFinal(final);
      }
      await batches.retire(batchId, batch.meta.tenant, this.deps.retentionSeconds);
      return end;
    } finally {
      await batches.releaseLease(batchId, 'finalize').catch(() => undefined);
    }
  }

  private endOf(batch: StoredBatch, now: number): BatchEnd | undefined {
    const settled = batch.opened && batch.completed + batch.failed >= batch.total;
    const windowClosed = now >= batch.meta.expires_at * 1000;
    if (batch.status === 'finalizing') return batch.end ?? 'completed';
    if (batch.status === 'cancelling') return batch.opened && (settled || windowClosed) ? 'cancelled' : undefined;
    if (batch.status === 'in_progress') return settled ? 'completed' : windowClosed ? 'expired' : undefined;
    return undefined;
  }

  private async writeFiles(batch: StoredBatch, end: BatchEnd) {
    const { batches, files, store } = this.deps;
    const id = batch.meta.id;
    const ids = batchFileIds(id);
    const output = files.writer(batch.meta.tenant, { id: ids.output, filename: `${id}_output.jsonl`, purpose: 'batch_output' });
    const errors = files.writer(batch.meta.tenant, { id: ids.error, filename: `${id}_error.jsonl`, purpose: 'batch_output' });
    const usage = emptyBatchUsage();
    const cost: BatchCost = { baseline_usd: 0, actual_usd: 0, saved_usd: 0 };
    let completed = 0;
    const invalid = new InvalidCursor(batches, id);
    const notRun = end === 'expired' ? 'batch_expired' : 'batch_cancelled';

    for (let start = 0; ; start += CHUNK) {
      const entries = await batches.lines(id, start, CHUNK);
      const jobs = await Promise.all(entries.map((e) => store.load(e.jobId)));
      let out = '';
      let err = '';
      for (let i = 0; i < entries.length; i++) {
        err += await invalid.before(entries[i].line);
        const job = jobs[i];
        if (!job) continue; // expired record: nothing left to report
        if (job.status === 'completed') {
          out += `${outputLine(job)}\n`;
          completed += 1;
          addUsage(usage, cost, job);
        } else if (job.status === 'failed') err += `${failedLine(job)}\n`;
        else err += `${notRunLine(job, job.status === 'cancelled' ? notRun : end === 'cancelled' ? 'batch_cancelled' : 'batch_expired')}\n`;
      }
      await writeText(output, out);
      await writeText(errors, err);
      await batches.renewLease(id, 'finalize', LEASE_MS);
      if (entries.length < CHUNK) break;
    }
    await writeText(errors, await invalid.before(Infinity));
    const outputFileId = output.bytes ? (await output.commit()).id : (await output.abort(), null);
    const errorFileId = errors.bytes ? (await errors.commit()).id : (await errors.abort(), null);
    for (const k of Object.keys(cost) as (keyof BatchCost)[]) cost[k] = Math.round(cost[k] * 1e6) / 1e6;
    return { completed, usage, cost, outputFileId, errorFileId };
  }
}

async function writeText(writer: FileWriter, text: string): Promise<void> {
  if (text) await writer.write(Buffer.from(text));
}

function addUsage(usage: ReturnType<typeof emptyBatchUsage>, cost: BatchCost, job: JobRecord): void {
  if (job.usage) {
    usage.input_tokens += job.usage.input_tokens;
    usage.input_tokens_details.cached_tokens += job.usage.cached_input_tokens;
    usage.output_tokens += job.usage.output_tokens;
    usage.total_tokens += job.usage.input_tokens + job.usage.output_tokens;
  }
  if (job.cost) {
    cost.baseline_usd += job.cost.baseline_usd;
    cost.actual_usd += job.cost.actual_usd;
    cost.saved_usd += job.cost.saved_usd;
  }
}

/** Reads the invalid-line list (in line order) alongside the results, to merge both by line number. */
class InvalidCursor {
  private buffer: { line: number; text: string }[] = [];
  private next = 0;
  private exhausted = false;

  constructor(
    private readonly batches: BatchStore,
    private readonly batchId: string,
  ) {}

  /** Error-file text of the invalid lines numbered below `line`. */
  async before(line: number): Promise<string> {
    let text = '';
    for (;;) {
      if (!this.buffer.length && !this.exhausted) await this.fill();
      if (!this.buffer.length || this.buffer[0].line >= line) return text;
      text += `${this.buffer.shift()!.text}\n`;
    }
  }

  private async fill(): Promise<void> {
    const raw = await this.batches.invalidLines(this.batchId, this.next, CHUNK);
    this.next += raw.length;
    if (raw.length < CHUNK) this.exhausted = true;
    this.buffer = raw.map((text) => ({ line: (JSON.parse(text) as { error: { line: number } }).error.line, text }));
  }
}
