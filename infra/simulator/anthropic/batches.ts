import { runPaced } from '../batch-pacer';
import type { SimState } from '../context';
import { SimError } from '../errors';
import type { BatchFault } from '../faults';
import { randomId } from '../prng';
import { pickFailing } from '../openai/batches';
import { runMessage } from './messages';
import { BatchCacheView } from '../prompt-cache';

/**
 * Anthropic Message Batches, compressed into `batchSeconds`: in_progress
 * (requests run spread over 80% of the window) → ended; cancel goes
 * canceling → ended with the unprocessed requests `canceled`; a batch fault
 * can expire the batch (unprocessed requests `expired`) or error a share of
 * its requests. No metadata: the real API has none.
 */

export interface MessageBatchObject {
  id: string;
  type: 'message_batch';
  processing_status: 'in_progress' | 'canceling' | 'ended';
  request_counts: { processing: number; succeeded: number; errored: number; canceled: number; expired: number };
  ended_at: string | null;
  created_at: string;
  expires_at: string;
  archived_at: string | null;
  cancel_initiated_at: string | null;
  results_url: string | null;
}

export interface BatchRequest {
  custom_id: string;
  params: unknown;
}

interface Run {
  batch: MessageBatchObject;
  requests: BatchRequest[];
  results: string[];
  done: Set<number>;
  fault?: BatchFault;
  resultsUrl: string;
  /** The prompt cache as this batch's requests see it: no reads of each other's writes. */
  cache: BatchCacheView;
  dead: boolean;
}

export class AnthropicBatchStore {
  private readonly runs = new Map<string, Run>();

  constructor(private readonly sim: SimState) {}

  create(requests: BatchRequest[], baseUrl: string, fault: BatchFault | undefined): MessageBatchObject {
    const now = Date.now();
    const id = randomId('msgbatch_01', 22);
    const batch: MessageBatchObject = {
      id,
      type: 'message_batch',
      processing_status: 'in_progress',
      request_counts: { processing: requests.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
      ended_at: null,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + 24 * 3600_000).toISOString(),
      archived_at: null,
      cancel_initiated_at: null,
      results_url: null,
    };
    const run: Run = { batch, requests, results: [], done: new Set(), fault, resultsUrl: `${baseUrl}/v1/messages/batches/${id}/results`, cache: new BatchCacheView(this.sim.promptCache), dead: false };
    this.runs.set(id, run);
    this.sim.stats.batchCreated();
    const windowMs = this.sim.tiers.batchWindowMs('anthropic', this.sim.batchSeconds);
    const failing = pickFailing(requests, fault?.error_share ?? 0);
    const runnable = fault?.expire ? Math.round(requests.length * (fault.completed_share ?? 0)) : requests.length;
    runPaced(this.sim.scheduler, {
      total: runnable,
      windowMs: windowMs * 0.8,
      stopped: () => run.dead || batch.processing_status !== 'in_progress',
      run: (i) => this.runRequest(run, i, failing.has(i)),
      done: () => {
        if (run.dead || batch.processing_status !== 'in_progress') return;
        this.sim.scheduler.after(windowMs * 0.2, () => this.end(run, fault?.expire ? 'expired' : 'canceled'));
      },
    });
    return batch;
  }

  get(id: string): Run['batch'] {
    const run = this.runs.get(id);
    if (!run) throw notFound(id);
    return run.batch;
  }

  /** Newest first. */
  list(): MessageBatchObject[] {
    return [...this.runs.values()].map((r) => r.batch).reverse();
  }

  cancel(id: string): MessageBatchObject {
    const run = this.runs.get(id);
    if (!run) throw notFound(id);
    if (run.batch.processing_status === 'in_progress') {
      run.batch.processing_status = 'canceling';
      run.batch.cancel_initiated_at = new Date().toISOString();
      this.sim.scheduler.after(Math.min(1000, this.sim.batchSeconds * 100), () => this.end(run, 'canceled'));
    }
    return run.batch;
  }

  delete(id: string): void {
    const run = this.runs.get(id);
    if (!run) throw notFound(id);
    if (run.batch.processing_status !== 'ended') throw new SimError(400, `Batch ${id} cannot be deleted while it is still processing. Cancel it first and wait until it has ended.`);
    run.dead = true;
    this.runs.delete(id);
  }

  /** The results JSONL lines; only once the batch has ended. */
  results(id: string): string[] {
    const run = this.runs.get(id);
    if (!run) throw notFound(id);
    if (run.batch.processing_status !== 'ended') throw new SimError(400, `Batch ${id} has not ended yet: results are available once processing_status is "ended".`);
    return run.results;
  }

  clear(): void {
    for (const run of this.runs.values()) run.dead = true;
    this.runs.clear();
  }

  private runRequest(run: Run, index: number, fail: boolean): void {
    const { custom_id, params } = run.requests[index];
    const counts = run.batch.request_counts;
    let result: unknown;
    try {
      if (fail) throw new SimError(500, 'Internal server error');
      if ((params as { stream?: unknown })?.stream) throw new SimError(400, 'stream: streaming is not supported for batch requests');
      result = { type: 'succeeded', message: runMessage(this.sim, params, true, run.cache) };
      counts.succeeded += 1;
    } catch (err) {
      const error = err instanceof SimError ? err : new SimError(500, (err as Error).message);
      const type = error.status >= 500 ? 'api_error' : 'invalid_request_error';
      result = { type: 'errored', error: { type: 'error', error: { type, message: error.message }, request_id: randomId('req_011', 21) } };
      counts.errored += 1;
    }
    counts.processing -= 1;
    run.results.push(JSON.stringify({ custom_id, result }));
    run.done.add(index);
  }

  /** Ends the batch; requests that never ran become `unfinished` (canceled or expired). */
  private end(run: Run, unfinished: 'canceled' | 'expired'): void {
    if (run.dead || run.batch.processing_status === 'ended') return;
    const counts = run.batch.request_counts;
    run.requests.forEach((r, i) => {
      if (run.done.has(i)) return;
      run.results.push(JSON.stringify({ custom_id: r.custom_id, result: { type: unfinished } }));
      counts[unfinished] += 1;
      counts.processing -= 1;
    });
    run.cache.commit();
    run.batch.processing_status = 'ended';
    run.batch.ended_at = new Date().toISOString();
    run.batch.results_url = run.resultsUrl;
    this.sim.log.debug({ batch: run.batch.id, counts }, 'anthropic batch ended');
  }
}

function notFound(id: string): SimError {
  return new SimError(404, `Message batch ${id} not found`);
}
