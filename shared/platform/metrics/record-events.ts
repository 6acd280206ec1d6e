import { parsimonyMetrics } from './parsimony-metrics';

/**
 * Counters other components increment (the webhook sender, the batch
 * submitter, the batch API). Each is a plain function so callers need no
 * handle on the registry.
 */

export interface WebhookDeliveryEvent {
  /** delivered (2xx), retrying (will be tried again) or failed (given up). */
  outcome: 'delivered' | 'retrying' | 'failed';
  /** HTTP status the receiver answered; omit when the request never got an answer (timeout, DNS, refused). */
  status?: number;
  /** How long the attempt took, in ms. */
  durationMs?: number;
}

/** One outbound webhook delivery attempt. */
export function recordWebhookDelivery(event: WebhookDeliveryEvent): void {
  const m = parsimonyMetrics();
  const status = event.status === undefined ? 'no_response' : `${Math.floor(event.status / 100)}xx`;
  m.webhookDeliveries.inc({ outcome: event.outcome, status });
  if (event.durationMs !== undefined) m.webhookDuration.observe({ outcome: event.outcome }, event.durationMs / 1000);
}

/**
 * A batch entered `state` (e.g. validating, in_progress, completed, failed,
 * expired, cancelled). `kind` tells Parsimony's own batches (`parsimony`, the
 * OpenAI-compatible Batch API) from the provider batches the batch lever
 * submits (`openai`, `anthropic`). Default kind: parsimony.
 */
export function recordBatchState(state: string, kind = 'parsimony'): void {
  parsimonyMetrics().batches.inc({ kind, state });
}

/** Current number of batches per state (replaces the previous report for `kind`). Default kind: parsimony. */
export function setBatchStateCounts(counts: Record<string, number>, kind = 'parsimony'): void {
  const gauge = parsimonyMetrics().batchesInState;
  for (const [state, count] of Object.entries(counts)) gauge.set({ kind, state }, count);
}
