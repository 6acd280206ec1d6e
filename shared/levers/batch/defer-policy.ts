import type { JobRecord } from '../../core/jobs/job-record';

/** The `batch` annotation a job carries once the batch-submitter has sent it back to the synchronous path. */
export function isSyncFallback(job: Pick<JobRecord, 'annotations'>): boolean {
  const batch = job.annotations?.batch as { path?: unknown } | undefined;
  return batch?.path === 'sync_fallback';
}
