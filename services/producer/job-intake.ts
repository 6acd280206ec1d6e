import type { Logger } from 'pino';
import { ApiError } from '../../shared/core/errors/api-error';
import type { JobOptions, JobRecord } from '../../shared/core/jobs/job-record';
import { JobStore } from '../../shared/core/jobs/job-store';
import type { SyncJobWatch } from '../../shared/core/jobs/sync-job-watch';
import type { ChatRequest, StreamEvent } from '../../shared/core/chat-model';
import type { JobRunner, RunResult } from '../../shared/pipeline/job-runner';
import type { ValidateStage } from '../../shared/pipeline/validate-stage';

/**
 * Creates job records and, for synchronous requests, runs them through the
 * pipeline in this process: no queue hop. The job record is kept like any
 * other, so GET /v1/jobs/:id shows fast-path jobs too.
 */
export class JobIntake {
  constructor(
    private readonly store: JobStore,
    private readonly validate: ValidateStage,
    private readonly runner: JobRunner,
    private readonly log: Logger,
    /** Registers the jobs this process runs itself, so a crash mid-call does not leave them 'running' forever. */
    private readonly watch?: SyncJobWatch,
  ) {}

  /** Validates against the catalog (400 on failure) and stores a queued job. */
  async create(tenant: string, request: ChatRequest, options: JobOptions): Promise<{ job: JobRecord; created: boolean }> {
    this.check(request, options);
    return this.store.create(JobIntake.queuedRecord(tenant, request, options), options.idempotency_key);
  }

  /** The catalog check `create` makes (400 on failure), for callers that check every job before storing any. */
  check(request: ChatRequest, options: JobOptions): void {
    this.validate.check(options.requested_model, request);
  }

  /** Stores jobs already `check`ed, one record each (idempotency per job); one pipelined round of writes. */
  async createChecked(tenant: string, jobs: { request: ChatRequest; options: JobOptions }[]): Promise<{ job: JobRecord; created: boolean }[]> {
    return Promise.all(jobs.map(({ request, options }) => this.store.create(JobIntake.queuedRecord(tenant, request, options), options.idempotency_key)));
  }

  private static queuedRecord(tenant: string, request: ChatRequest, options: JobOptions): JobRecord {
    const job: JobRecord = {
      id: JobStore.newId(),
      tenant,
      status: 'queued',
      created_at: new Date().toISOString(),
      options,
      request,
      attempts: 0,
    };
    return job;
  }

  /**
   * The fast path proper: stores the job as already 'running' (the write
   * overlaps the provider call instead of preceding it) and runs it here.
   * Resolves once both the result and the record are stored.
   */
  async runFast(
    tenant: string,
    request: ChatRequest,
    options: JobOptions,
    onStart: (job: JobRecord) => void,
    onStreamEvent?: (event: StreamEvent, model: string | undefined) => void,
    signal?: AbortSignal,
  ): Promise<JobRecord> {
    this.validate.check(options.requested_model, request);
    if (!this.store.isReady()) throw ApiError.unavailable('Parsimony cannot reach its Redis right now; retry shortly');
    const now = new Date().toISOString();
    const job: JobRecord = { id: JobStore.newId(), tenant, status: 'running', created_at: now, started_at: now, options, request, attempts: 1 };
    onStart(job);
    const stored = this.store.create(job, undefined, this.watch?.entry(job.id));
    const [, result] = await Promise.all([stored, this.runner.run(job.id, { onStreamEvent, signal, finalAttempt: true }, job)]);
    if (result.kind !== 'finished') throw new Error('the fast path cannot leave a job for retry');
    return result.job;
  }

  /** Runs a stored job now, in this process, with the fast path's own retries. */
  async runNow(jobId: string, onStreamEvent?: (event: StreamEvent, model: string | undefined) => void, signal?: AbortSignal): Promise<RunResult> {
    await this.watch?.add(jobId);
    return this.runner.run(jobId, { onStreamEvent, signal, finalAttempt: true });
  }

  get logger(): Logger {
    return this.log;
  }
}
