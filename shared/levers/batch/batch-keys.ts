/**
 * Every Redis key of the batch lever, under the deployment prefix. Kept in
 * one place so the Lua scripts and the TypeScript agree, and so an operator
 * can find the lever's state with one SCAN pattern (`<prefix>:batch:*`).
 */
export class BatchKeys {
  constructor(readonly prefix: string) {}

  /** LIST of job ids the defer stage parked, pushed atomically with the status change to 'deferred'. */
  get inbox(): string {
    return `${this.prefix}:batch:inbox`;
  }
  /** LIST of inbox ids being taken in (crash recovery: re-read on start). */
  get inboxProcessing(): string {
    return `${this.prefix}:batch:inbox:processing`;
  }
  /** SET of pending groups (`<provider>|<model>`). */
  get groups(): string {
    return `${this.prefix}:batch:groups`;
  }
  /** ZSET job id → deferral time (ms) of a group's jobs not yet in a provider batch. */
  pending(group: string): string {
    return `${this.prefix}:batch:pending:${group}`;
  }
  /** ZSET job id → deadline (ms) of a group's pending jobs that have one. */
  pendingDeadlines(group: string): string {
    return `${this.prefix}:batch:pending-deadline:${group}`;
  }
  /** HASH group → bytes of its pending lines. */
  get pendingBytes(): string {
    return `${this.prefix}:batch:pending-bytes`;
  }
  /** ZSET job id → time (ms) its synchronous fallback is due: deadline − margin, or 0 for "now". */
  get fallbacks(): string {
    return `${this.prefix}:batch:fallbacks`;
  }
  /** HASH of one deferred job's batch state: group, bytes, deadline, intent (owner), tries, fallback_reason. */
  job(jobId: string): string {
    return `${this.prefix}:batch:job:${jobId}`;
  }
  /** Prefix of job tracking keys, for Lua scripts. */
  get jobPrefix(): string {
    return `${this.prefix}:batch:job:`;
  }
  /** Prefix of the job records (JobStore), for Lua scripts that check a job's status. */
  get recordPrefix(): string {
    return `${this.prefix}:job:`;
  }
  /** HASH of one intent: provider, model, group, state, size, bytes, attempts, file_id, provider_batch_id, … */
  intent(intentId: string): string {
    return `${this.prefix}:batch:intent:${intentId}`;
  }
  /** LIST of an intent's job ids, in line order. */
  intentJobs(intentId: string): string {
    return `${this.prefix}:batch:intent:${intentId}:jobs`;
  }
  /** ZSET intent id → when it next needs attention (submit retry, status check), ms. */
  get intents(): string {
    return `${this.prefix}:batch:intents`;
  }
  /** STRING lease token of whoever works on an intent right now. */
  lease(intentId: string): string {
    return `${this.prefix}:batch:lease:${intentId}`;
  }
  /** HASH `<provider>:<provider batch id>` → intent id, for webhooks and reconciliation. */
  get byProviderId(): string {
    return `${this.prefix}:batch:by-provider-id`;
  }
  /** SET `<provider>:<provider batch id>` of batches found not to be ours during reconciliation. */
  get foreign(): string {
    return `${this.prefix}:batch:foreign`;
  }
  /** STRING marking a processed webhook event (TTL). */
  webhookEvent(eventId: string): string {
    return `${this.prefix}:batch:webhook-event:${eventId}`;
  }
  /** STRING lock of a group's flush. */
  flushLock(group: string): string {
    return `${this.prefix}:batch:flush-lock:${group}`;
  }
}
