import type { Logger } from 'pino';
import { ApiError } from '../../core/errors/api-error';
import type { JobOptions, JobRecord } from '../../core/jobs/job-record';
import { JobStore } from '../../core/jobs/job-store';
import type { JobOutcomes } from '../../core/jobs/job-outcomes';
import type { ChatRequest } from '../../core/chat-model';
import { assertCallbackAllowed, CallbackRefusedError } from '../../platform/webhooks/ssrf-guard';
import { batchEndpoints, isLineError, parseBatchLine, type LineError, type ValidLine } from './batch-line';
import { invalidLine } from './batch-output';
import { newBatchId, parseCompletionWindow, type BatchMeta, type StoredBatch } from './batch-record';
import type { BatchStore } from './batch-store';
import type { BatchTasks } from './batch-tasks';
import { cancelLines } from './cancel-lines';
import type { FileStore } from './file-store';
import { jsonlLines } from './jsonl-lines';
import { BatchFeeder } from './batch-feeder';
import type { LineEnqueuer } from './line-queue';

/**
 * Lines handled per Redis round trip. Small on purpose: a chunk's objects
 * (parsed lines, job records, Redis commands) live until its writes are
 * answered, and at 1,000 lines they outlived two young-generation GCs and
 * were promoted, so the old generation filled with garbage between full GCs
 * (a 100,000-line intake peaked ~150 MB above the idle producer with 1,000,
 * ~100 MB with 200). More round trips cost little on a local Redis.
 */
const CHUNK = 200;
const FEED_CHUNK = 1000;
/** The intake renews this lease per chunk; a batch whose lease lapsed in `validating` was abandoned. */
export const INTAKE_LEASE_MS = 30_000;

export interface CreateBatchParams {
  input_file_id: string;
  endpoint: string;
  completion_window: string;
  metadata?: Record<string, string> | null;
}

export interface BatchIntakeDeps {
  files: FileStore;
  batches: BatchStore;
  store: JobStore;
  outcomes: JobOutcomes;
  tasks: BatchTasks;
  /** The producer's catalog check of a request (throws ApiError 400). */
  checkModel: (model: string, request: ChatRequest) => void;
  /** Hands stored line jobs to the router-worker. */
  enqueueLines: LineEnqueuer;
  /** Lines queued at once when the batch opens; the feeder queues the rest as the queue drains. */
  feedWindow: number;
  /** Hosts exempt from the callback SSRF check. */
  allowHosts: readonly string[];
  /** Largest input line, bytes. */
  lineMaxBytes: number;
  /** How long the batch's working lists may live (window + this). */
  retentionSeconds: number;
  log: Logger;
}

/**
 * Turns an uploaded JSONL file into a Parsimony batch: every good line
 * becomes a job (latency "batch", the batch's deadline, its custom_id) that
 * runs through the whole pipeline, every bad line an error-file entry with
 * its line number. The file is streamed and jobs are written in chunks, so
 * memory does not grow with the file. Lines are queued only once all of
 * them are stored (the first window at once, the rest by the feeder as the
 * queue drains); if anything fails before that, the created jobs are
 * cancelled and the batch removed, so nothing is half-created (and if this
 * process dies, the sweeper sees the lapsed lease and does the same).
 */
export class BatchIntake {
  constructor(private readonly deps: BatchIntakeDeps) {}

  async create(tenant: string, params: CreateBatchParams, signal?: AbortSignal): Promise<StoredBatch> {
    const { files, batches } = this.deps;
    if (!batchEndpoints().includes(params.endpoint))
      throw ApiError.invalid(
        `endpoint: Parsimony batches run ${batchEndpoints()
          .map((e) => `"${e}"`)
          .join(', ')} (got "${params.endpoint}")`,
      );
    const window = parseCompletionWindow(params.completion_window);
    if ('error' in window) throw ApiError.invalid(window.error);
    const callbackUrl = params.metadata?.callback_url;
    if (callbackUrl !== undefined) {
      try {
        await assertCallbackAllowed(callbackUrl, { allowHosts: this.deps.allowHosts });
      } catch (err) {
        if (err instanceof CallbackRefusedError) throw ApiError.invalid(`metadata.callback_url ${err.message}`);
        throw err;
      }
    }
    const file = await files.get(tenant, params.input_file_id);
    if (!file) throw ApiError.notFound(`file ${params.input_file_id}`);
    if (file.purpose !== 'batch') throw ApiError.invalid(`input_file_id: file ${file.id} has purpose "${file.purpose}"; upload it with purpose "batch"`);

    const now = Math.floor(Date.now() / 1000);
    const meta: BatchMeta = {
      id: newBatchId(),
      tenant,
      endpoint: params.endpoint,
      input_file_id: file.id,
      completion_window: params.completion_window,
      created_at: now,
      expires_at: now + window.seconds,
      metadata: params.metadata ?? null,
      ...(callbackUrl ? { callback_url: callbackUrl } : {}),
    };
    await batches.create(meta, INTAKE_LEASE_MS);
    const log = this.deps.log.child({ batchId: meta.id, tenant });
    let valid: number;
    let status: string;
    try {
      const stored = await this.storeLines(meta, signal);
      valid = stored.valid;
      if (valid === 0) {
        const shown = stored.firstErrors.map((e) => e.message).join('; ');
        throw ApiError.invalid(
          stored.invalid === 0
            ? `input file ${file.id} has no request lines`
            : `input file ${file.id} has no valid request lines (${stored.invalid} invalid): ${shown}${stored.invalid > stored.firstErrors.length ? '; …' : ''}`,
        );
      }
      status = await batches.open(meta.id, valid + stored.invalid, stored.invalid);
      log.info({ lines: valid, invalid: stored.invalid }, 'batch accepted');
    } catch (err) {
      await this.rollback(meta, log);
      throw err;
    }
    // Open: from here on the batch lives, and the sweeper finishes whatever a failure below leaves undone.
    await batches.releaseLease(meta.id, 'intake').catch(() => undefined);
    if (status === 'cancelling') await this.deps.tasks.cancel(meta.id).catch((err) => log.warn({ err: { message: (err as Error).message } }, 'cancel task not queued; the sweeper will'));
    else await this.feedFirstWindow(meta, valid, log);
    const opened = await batches.load(meta.id);
    if (!opened) throw ApiError.unavailable(`batch ${meta.id} was created but cannot be read back right now; retrieve it shortly`);
    return opened;
  }

  /**
   * The batch is open (past this point nothing is rolled back): queue the
   * first lines now so small batches start at once, and leave the rest to
   * the feeder (started here, resumed by the sweeper if need be).
   */
  private async feedFirstWindow(meta: BatchMeta, valid: number, log: Logger): Promise<void> {
    try {
      const feeder = new BatchFeeder({ batches: this.deps.batches, enqueue: this.deps.enqueueLines, waiting: async () => 0, window: this.deps.feedWindow, log });
      const first = Math.min(valid, this.deps.feedWindow);
      for (let fed = 0; fed < first;) fed += await feeder.feed(meta.id, meta.tenant, fed, Math.min(FEED_CHUNK, first - fed));
      if (valid > first) await this.deps.tasks.feed(meta.id);
    } catch (err) {
      log.warn({ err: { message: (err as Error).message } }, 'could not queue the first lines; the sweeper will start the feeder');
    }
  }

  /** Pass 1: validate every line, store the good ones as queued (not yet runnable) jobs. */
  private async storeLines(meta: BatchMeta, signal?: AbortSignal) {
    let valid = 0;
    let invalid = 0;
    const firstErrors: LineError[] = [];
    let good: PendingLine[] = [];
    let bad: LineError[] = [];
    // One chunk is written while the next is parsed; chunks reach Redis in order.
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      await writing;
      if (signal?.aborted) throw ApiError.invalid('request aborted by the client; the batch was not created');
      writing = this.storeChunk(meta, good, bad).then((stored) => {
        valid += stored.valid;
        invalid += stored.invalid.length;
        for (const e of stored.invalid) if (firstErrors.length < 5) firstErrors.push(e);
      });
      writing.catch(() => undefined); // awaited at the next flush; never an unhandled rejection meanwhile
      good = [];
      bad = [];
    };
    const check = (model: string, request: ChatRequest) => this.deps.checkModel(model, request);
    try {
      for await (const line of jsonlLines(this.deps.files.chunks(meta.input_file_id), this.deps.lineMaxBytes)) {
        if (line.tooLong)
          bad.push({ line: line.number, code: 'line_too_large', message: `line ${line.number} is ${line.bytes} bytes, over the ${this.deps.lineMaxBytes}-byte limit`, custom_id: null });
        else {
          const parsed = await parseBatchLine(line.number, line.text, check, meta.endpoint, meta.tenant);
          if (isLineError(parsed)) bad.push(parsed);
          else good.push(pending(parsed));
        }
        if (good.length + bad.length >= CHUNK) await flush();
      }
      await flush();
      await writing;
    } catch (err) {
      // Let the chunk in flight land first, so the rollback sees every job it created.
      await writing.catch(() => undefined);
      throw err;
    }
    return { valid, invalid, firstErrors };
  }

  /** One chunk: dedupe custom_ids, record line ids and errors, then create the job records. */
  private async storeChunk(meta: BatchMeta, good: PendingLine[], bad: LineError[]): Promise<{ valid: number; invalid: LineError[] }> {
    const { batches, store } = this.deps;
    const redis = batches.redis;
    const ttl = meta.expires_at - Math.floor(Date.now() / 1000) + this.deps.retentionSeconds;
    if (good.length) {
      const key = batches.customIdsKey(meta.id);
      const seen = redis.pipeline();
      for (const l of good) seen.hsetnx(key, l.custom_id, String(l.line));
      seen.expire(key, ttl);
      const results = (await seen.exec()) ?? [];
      const unique: PendingLine[] = [];
      const repeated: PendingLine[] = [];
      good.forEach((l, i) => {
        const [err, fresh] = results[i];
        if (err) throw err;
        (fresh === 1 ? unique : repeated).push(l);
      });
      if (repeated.length) {
        // Rare: only then ask which line took the id first (HSETNX never overwrites it).
        const firsts = await redis.hmget(key, ...repeated.map((l) => l.custom_id));
        repeated.forEach((l, i) =>
          bad.push({ line: l.line, code: 'duplicate_custom_id', message: `line ${l.line}: custom_id "${l.custom_id}" is already used on line ${firsts[i]}`, custom_id: l.custom_id }),
        );
      }
      good = unique;
    }
    // Errors go to the list in line order (the finalizer merges it with the results by line number).
    bad.sort((a, b) => a.line - b.line);
    const createdAt = new Date().toISOString();
    const deadline = new Date(meta.expires_at * 1000).toISOString();
    const jobs: JobRecord[] = good.map((l) => ({
      id: JobStore.newId(),
      tenant: meta.tenant,
      status: 'queued',
      created_at: createdAt,
      options: {
        requested_model: l.model,
        latency: 'batch',
        deadline,
        batch_id: meta.id,
        custom_id: l.custom_id,
        ...l.extra,
      },
      request: l.request,
      attempts: 0,
    }));
    // Line ids are recorded before the jobs exist, so a rollback can always find every job.
    const record = redis.pipeline();
    if (jobs.length) record.rpush(batches.linesKey(meta.id), ...jobs.map((j, i) => `${good[i].line}:${j.id}`)).hincrby(batches.key(meta.id), 'lines', jobs.length);
    if (bad.length) record.rpush(batches.invalidKey(meta.id), ...bad.map((e) => invalidLine(meta.id, e)));
    record.expire(batches.linesKey(meta.id), ttl).expire(batches.invalidKey(meta.id), ttl).set(batches.leaseKey(meta.id, 'intake'), '1', 'PX', INTAKE_LEASE_MS);
    const recorded = (await record.exec()) ?? [];
    const failed = recorded.find(([err]) => err);
    if (failed) throw failed[0];
    // Redis pipelines the creates: every command of the chunk is sent before the first reply is read.
    await Promise.all(jobs.map((job) => store.create(job)));
    return { valid: jobs.length, invalid: bad };
  }

  private async rollback(meta: BatchMeta, log: Logger): Promise<void> {
    try {
      await cancelLines(this.deps.batches, this.deps.outcomes, meta.id, ['queued', 'deferred']);
      await this.deps.batches.remove(meta.id, meta.tenant);
    } catch (err) {
      // Redis is likely down; the sweeper finishes the job once the lease lapses.
      log.warn({ err: { message: (err as Error).message } }, 'batch rollback incomplete; the sweeper will finish it');
    }
  }
}

/**
 * A valid line as a chunk holds it until it is written: the job's options
 * and the internal request, without the validated OpenAI body (a second copy
 * of every message that nothing needs once the request is built).
 */
interface PendingLine {
  line: number;
  custom_id: string;
  model: string;
  /** Job options taken from the line's body, applied last as before. */
  extra: Partial<JobOptions>;
  request: ValidLine['request'];
}

function pending(l: ValidLine): PendingLine {
  return {
    line: l.line,
    custom_id: l.custom_id,
    model: l.body.model,
    extra: {
      ...(l.body.metadata ? { metadata: l.body.metadata } : {}),
      // The line's Parsimony hints (task, tier bounds, cache), as on the chat endpoint.
      ...l.body.parsimony,
      // Its surface, so the output line's body is in the line's own format.
      ...l.options,
    },
    request: l.request,
  };
}
