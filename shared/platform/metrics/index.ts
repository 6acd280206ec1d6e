/** Prometheus metrics: the registry, the pipeline/job hooks and the counters other components increment. */
export { ParsimonyMetrics, parsimonyMetrics } from './parsimony-metrics';
export { observeJobOutcome } from './job-metrics';
export { stageCpuObserver, stageLatencyObserver } from './stage-metrics';
export { recordWebhookDelivery, recordBatchState, setBatchStateCounts, type WebhookDeliveryEvent } from './record-events';
export { readQueueDepths, QUEUE_STATES, type QueueDepths, type QueueState } from './queue-depths';
export { startMetricsServer, type MetricsServerOptions } from './metrics-server';
export { authorizationMatches } from './bearer-key';
