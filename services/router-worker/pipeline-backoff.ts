import { ProviderError } from '../../shared/core/errors/provider-error';
import { backoffDelayMs } from '../../shared/providers/retry-policy';

import { PIPELINE_BACKOFF_TYPE } from '../../shared/platform/queues/pipeline-jobs';

export { PIPELINE_BACKOFF_TYPE };

/**
 * BullMQ custom backoff: exponential with jitter, or the provider's
 * `retry-after` when it asked for longer.
 */
export function pipelineBackoff(attemptsMade: number, type: string | undefined, err: Error | undefined): number {
  if (type !== PIPELINE_BACKOFF_TYPE) return -1;
  return backoffDelayMs(attemptsMade, err instanceof ProviderError ? err : undefined);
}
