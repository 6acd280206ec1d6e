import type { ModelEntry } from '../../core/catalog/catalog';
import type { JobRecord } from '../../core/jobs/job-record';

/** When a job is latency-tolerant enough for a provider batch. */
export interface DeferPolicy {
  /** An `async` job whose deadline is at least this far away goes to a provider batch, in seconds. Default 3600. */
  minDeadlineSeconds: number;
}

export const DEFAULT_DEFER_POLICY: DeferPolicy = { minDeadlineSeconds: 3600 };

export type DeferDecision = { defer: true; reason: string } | { defer: false; reason?: string };

/** The `batch` annotation a job carries once the batch-submitter has sent it back to the synchronous path. */
export function isSyncFallback(job: Pick<JobRecord, 'annotations'>): boolean {
  const batch = job.annotations?.batch as { path?: unknown } | undefined;
  return batch?.path === 'sync_fallback';
}

/**
 * The batch lever's decision for one job, after the other levers ran (the
 * batch discount applies to what is left):
 * - `latency: "sync"` and streamed requests never wait (the fast path);
 * - a job the submitter handed back (sync fallback) runs now;
 * - `latency: "batch"` is deferred when the routed model's provider has a
 *   batch API with a discount (a near deadline is then met by the fallback);
 * - `latency: "async"` is deferred when its deadline is far enough away.
 * Returns a reason when the answer is worth recording on the job.
 */
export function decideDeferral(job: JobRecord, model: ModelEntry, now: number, policy: DeferPolicy, hasBatchApi: (provider: string) => boolean): DeferDecision {
  const { latency, deadline, stream } = job.options;
  if (latency === 'sync' || stream) return { defer: false };
  if (isSyncFallback(job)) return { defer: false };
  const deadlineMs = deadline ? Date.parse(deadline) : undefined;
  const wanted =
    latency === 'batch'
      ? 'latency "batch" requested'
      : deadlineMs !== undefined && deadlineMs - now >= policy.minDeadlineSeconds * 1000
        ? `deadline ${Math.round((deadlineMs - now) / 60_000)} min away (≥ ${Math.round(policy.minDeadlineSeconds / 60)} min)`
        : undefined;
  if (!wanted) return { defer: false };
  if (!hasBatchApi(model.provider)) return { defer: false, reason: `${wanted}, but provider ${model.provider} has no batch API here: ran synchronously` };
  if (model.batch_discount <= 0) return { defer: false, reason: `${wanted}, but ${model.id} has no batch discount: ran synchronously` };
  return { defer: true, reason: `${wanted}: sent to the ${model.provider} batch API at ${Math.round(model.batch_discount * 100)}% off` };
}
