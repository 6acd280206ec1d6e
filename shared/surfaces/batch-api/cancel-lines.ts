import type { JobStatus } from '../../core/jobs/job-record';
import type { JobOutcomes } from '../../core/jobs/job-outcomes';
import type { BatchStore } from './batch-store';

const CHUNK = 500;

/**
 * Cancels a batch's line jobs that are still in one of `from`, chunk by
 * chunk. Each cancel is the job's own compare-and-set, so a line that
 * finished meanwhile keeps its result; a deferred line's late provider
 * result is then ignored by the batch core (it completes from 'deferred'
 * only). Returns how many lines were cancelled.
 */
export async function cancelLines(
  batches: BatchStore,
  outcomes: JobOutcomes,
  batchId: string,
  from: readonly JobStatus[] = ['queued', 'deferred'],
  onChunk: () => Promise<void> = async () => {},
): Promise<number> {
  let cancelled = 0;
  for (let start = 0; ; start += CHUNK) {
    const lines = await batches.lines(batchId, start, CHUNK);
    const results = await Promise.all(lines.map((l) => outcomes.cancel(l.jobId, from)));
    cancelled += results.filter((r) => r.ok).length;
    await onChunk();
    if (lines.length < CHUNK) return cancelled;
  }
}
