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

/**
 * Why a group should be sent now, or undefined to keep filling it: it is
 * full (requests or bytes), its oldest job has waited the maximum, or its
 * tightest deadline leaves no more than the expected batch turnaround plus
 * the safety margin.
 */
export function flushReason(group: GroupState, limits: FlushLimits, now: number): string | undefined {
  if (group.count <= 0) return undefined;
  if (group.count >= limits.maxRequests) return 'full: request limit';
  if (group.bytes >= limits.maxBytes) return 'full: size limit';
  if (group.oldest !== undefined && now - group.oldest >= limits.maxWaitMs) return 'oldest job waited the maximum';
  if (group.tightestDeadline !== undefined && group.tightestDeadline - now <= limits.turnaroundMs + limits.marginMs) return 'tightest deadline';
  return undefined;
}
