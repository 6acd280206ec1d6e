import { ProviderError } from '../../shared/core/errors/provider-error';
import { backoffDelayMs } from '../../shared/providers/retry-policy';

/** Name of the BullMQ backoff strategy that honours the provider's retry-after. */
export const PIPELINE_BACKOFF_TYPE = 'provider-aware';

/**
 * BullMQ custom backoff: exponential with jitter, or the provider's
 * `retry-after` when it asked for longer.
 */
export function pipelineBackoff(attemptsMade: number, type: string | undefined, err: Error | undefined): number {
  if (type !== PIPELINE_BACKOFF_TYPE) return -1;
  return backoffDelayMs(attemptsMade, err instanceof ProviderError ? err : undefined);
}
