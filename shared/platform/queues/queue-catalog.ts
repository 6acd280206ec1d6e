import { z } from 'zod';
// The cache lever owns the shape of what it stores; the catalog only names it as this job's payload.
import { CacheStorePayloadSchema } from '../../levers/cache/cache-entry';

/**
 * Every BullMQ queue and job name, in one place. Call sites use these
 * constants, never string literals, and every payload has a schema that the
 * consuming worker checks with safeParse when it dequeues.
 */
export const QUEUES = {
  /** Jobs waiting for the router-worker to run the pipeline. */
  pipeline: 'pipeline',
  /** Completed responses to store in the semantic cache (cache-service). */
  cacheStore: 'cache-store',
  /** Requests deferred to provider batch APIs (batch-submitter). */
  batch: 'batch',
  /** Outbound client webhooks. */
  webhooks: 'webhooks',
  /** Jobs that reached a final status and someone waits for (callback_url, a Parsimony batch). */
  jobEvents: 'job-events',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOB_NAMES = {
  runPipeline: 'run-pipeline',
  storeInCache: 'store-in-cache',
  sweepCache: 'sweep-cache',
  deliverWebhook: 'deliver-webhook',
  jobFinished: 'job-finished',
  /** On job-events: write a Parsimony batch's output/error files and end it. */
  finalizeBatch: 'finalize-batch',
  /** On job-events: cancel the unfinished lines of a Parsimony batch. */
  cancelBatch: 'cancel-batch',
  /** On job-events: move a Parsimony batch's stored lines into the pipeline queue as it drains. */
  feedBatch: 'feed-batch',
  /** On batch: repeatable; submit, check and collect the provider batches that are due (batch-submitter). */
  pollProviderBatches: 'poll-provider-batches',
  /** On batch: check one provider batch now (its OpenAI webhook arrived). */
  checkProviderBatch: 'check-provider-batch',
} as const;

/** Queue payloads carry ids only; bodies live in the job record. */
export const RunPipelinePayload = z.object({ jobId: z.string().min(1), tenant: z.string().min(1) }).strict();
export type RunPipelinePayload = z.infer<typeof RunPipelinePayload>;

export const JobFinishedPayload = z.object({ jobId: z.string().min(1) }).strict();
export type JobFinishedPayload = z.infer<typeof JobFinishedPayload>;

export const DeliverWebhookPayload = z.object({ deliveryId: z.string().min(1) }).strict();
export type DeliverWebhookPayload = z.infer<typeof DeliverWebhookPayload>;

/** finalize-batch, cancel-batch and feed-batch (job-events queue). */
export const BatchTaskPayload = z.object({ batchId: z.string().min(1) }).strict();
export type BatchTaskPayload = z.infer<typeof BatchTaskPayload>;

/** poll-provider-batches: no data, the due work is in Redis. */
export const PollProviderBatchesPayload = z.object({}).strict();
export type PollProviderBatchesPayload = z.infer<typeof PollProviderBatchesPayload>;

/** check-provider-batch: the provider's batch id; `event_id` is the webhook event that asked. */
export const CheckProviderBatchPayload = z.object({ provider: z.string().min(1), provider_batch_id: z.string().min(1), event_id: z.string().min(1).optional() }).strict();
export type CheckProviderBatchPayload = z.infer<typeof CheckProviderBatchPayload>;

/** sweep-cache: repeatable, carries nothing (whatever BullMQ's scheduler stored is ignored). */
export const SweepCachePayload = z.unknown();
export type SweepCachePayload = z.infer<typeof SweepCachePayload>;

/** One schema per job name: the handler of a job gets its payload parsed with it (queue-handlers.ts). */
export const PAYLOAD_SCHEMAS = {
  [JOB_NAMES.runPipeline]: RunPipelinePayload,
  [JOB_NAMES.storeInCache]: CacheStorePayloadSchema,
  [JOB_NAMES.sweepCache]: SweepCachePayload,
  [JOB_NAMES.jobFinished]: JobFinishedPayload,
  [JOB_NAMES.deliverWebhook]: DeliverWebhookPayload,
  [JOB_NAMES.finalizeBatch]: BatchTaskPayload,
  [JOB_NAMES.cancelBatch]: BatchTaskPayload,
  [JOB_NAMES.feedBatch]: BatchTaskPayload,
  [JOB_NAMES.pollProviderBatches]: PollProviderBatchesPayload,
  [JOB_NAMES.checkProviderBatch]: CheckProviderBatchPayload,
} as const;

export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

/** The jobs each queue carries: a queue's worker must handle exactly these (queue-handlers.ts). */
export const QUEUE_JOBS = {
  [QUEUES.pipeline]: [JOB_NAMES.runPipeline],
  [QUEUES.cacheStore]: [JOB_NAMES.storeInCache, JOB_NAMES.sweepCache],
  [QUEUES.batch]: [JOB_NAMES.pollProviderBatches, JOB_NAMES.checkProviderBatch],
  [QUEUES.webhooks]: [JOB_NAMES.deliverWebhook],
  [QUEUES.jobEvents]: [JOB_NAMES.jobFinished, JOB_NAMES.finalizeBatch, JOB_NAMES.cancelBatch, JOB_NAMES.feedBatch],
} as const satisfies Record<QueueName, readonly JobName[]>;
