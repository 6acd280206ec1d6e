import type { ServerResponse } from 'node:http';
import type { JobRecord } from '../../../shared/core/jobs/job-record';

/** The per-request plumbing every fast-path surface route needs around `JobIntake.runFast`. */
export interface FastPathCall {
  /** Aborts the pipeline (and the provider call) when the client hangs up before the answer is written. */
  readonly signal: AbortSignal;
  /** Records the job and names it in `x-parsimony-job-id` as soon as it exists (before any stream chunk). */
  readonly onStart: (job: JobRecord) => void;
  /** The job, once `onStart` ran. */
  job?: JobRecord;
}

export function fastPathCall(res: ServerResponse): FastPathCall {
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const call: FastPathCall = {
    signal: abort.signal,
    onStart: (job) => {
      call.job = job;
      res.setHeader('x-parsimony-job-id', job.id);
    },
  };
  return call;
}
