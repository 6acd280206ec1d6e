import type { GroupState } from './pending-pool';

export interface FlushLimits {
  /** Requests per provider batch (the provider's limit or a lower configured cap). */
  maxRequests: number;
  /** Bytes per provider batch. */
  maxBytes: number;
  /** Longest the oldest job waits for its batch to fill, ms. */
  maxWaitMs: number;
  /** Expected provider batch duration, ms. */
  turnaroundMs: number;
  /** Safety margin before a deadline, ms. */
  marginMs: number;
}

/** While a backlog is being taken in, a group waits up to this many times the maximum wait to fill up. */
export const BACKLOG_WAIT_FACTOR = 3;

/**
 * Why a group should be sent now, or undefined to keep filling it: it is
 * full (requests or bytes), its tightest deadline leaves no more than the
 * expected batch turnaround plus the safety margin, or its oldest job has
 * waited the maximum. `backlog`: deferred jobs are still waiting to be taken
 * in (a burst, or a submitter back from downtime); the wait rule then gives
 * them a chance to join before a half-empty batch leaves (up to
 * BACKLOG_WAIT_FACTOR × the maximum wait).
 */
export function flushReason(group: GroupState, limits: FlushLimits, now: number, backlog = false): string | undefined {
  if (group.count <= 0) return undefined;
  if (group.count >= limits.maxRequests) return 'full: request limit';
  if (group.bytes >= limits.maxBytes) return 'full: size limit';
  if (group.tightestDeadline !== undefined && group.tightestDeadline - now <= limits.turnaroundMs + limits.marginMs) return 'tightest deadline';
  const waited = group.oldest !== undefined ? now - group.oldest : 0;
  if (waited >= limits.maxWaitMs * (backlog ? BACKLOG_WAIT_FACTOR : 1)) return 'oldest job waited the maximum';
  return undefined;
}
