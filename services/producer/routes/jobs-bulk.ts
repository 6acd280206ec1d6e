import { ApiError } from '../../../shared/core/errors/api-error';
import type { JobRecord } from '../../../shared/core/jobs/job-record';
import type { JobEnqueuer } from '../job-enqueuer';
import type { JobIntake } from '../job-intake';
import { toApiError } from '../http/error-handler';
import { prepareSubmission, type JobSubmission, type SubmissionContext } from '../job-submission';

/** Most envelopes one bulk POST /v1/jobs accepts (README, "Bulk submission"). */
export const BULK_MAX_JOBS = 1_000;

export interface BulkAnswer {
  status: 200 | 202;
  body: { object: 'list'; data: { id: string; object: 'job'; status: JobRecord['status'] }[] };
}

/**
 * POST /v1/jobs with an array body: every element an envelope as in a single
 * submission. All or nothing at validation: the first bad element's 400 names
 * its index and no job is stored. Then one write per record (pipelined, each
 * with its own idempotency key) and one `addBulk` for the queue. Bulk jobs are
 * queued work: `latency: "sync"` is refused.
 */
export async function submitBulk(items: unknown[], ctx: SubmissionContext, intake: JobIntake, enqueuer: JobEnqueuer): Promise<BulkAnswer> {
  if (items.length === 0) throw ApiError.invalid('a bulk submission needs at least one job envelope');
  if (items.length > BULK_MAX_JOBS) throw ApiError.invalid(`a bulk submission takes at most ${BULK_MAX_JOBS} jobs; got ${items.length} (split it)`);

  const submissions: JobSubmission[] = [];
  const keys = new Map<string, number>();
  for (const [index, item] of items.entries()) {
    try {
      const submission = await prepareSubmission(item, ctx);
      if (submission.envelope.latency === 'sync') throw ApiError.invalid('latency: "sync" jobs cannot be submitted in bulk; POST them one by one or use "async"');
      intake.check(submission.request, submission.options);
      const key = submission.options.idempotency_key;
      if (key !== undefined) {
        const first = keys.get(key);
        if (first !== undefined) throw ApiError.invalid(`idempotency_key "${key}" is also used by jobs[${first}]; each job needs its own`);
        keys.set(key, index);
      }
      submissions.push(submission);
    } catch (err) {
      const apiError = toApiError(err);
      if (!apiError || apiError.status !== 400) throw err;
      throw ApiError.invalid(`jobs[${index}]: ${apiError.message} (no job of this submission was stored)`);
    }
  }

  const stored = await intake.createChecked(ctx.tenant, submissions);
  // As for one job: a replay of a job still queued may follow a crash between storing and queueing; the queue entry's
  // id is the job id, so queueing it again is a no-op when it is queued already.
  await enqueuer.enqueueMany(stored.filter(({ job }) => job.status === 'queued').map(({ job }) => job));
  const anyCreated = stored.some(({ created }) => created);
  return {
    status: anyCreated ? 202 : 200,
    body: { object: 'list', data: stored.map(({ job }) => ({ id: job.id, object: 'job', status: job.status })) },
  };
}
