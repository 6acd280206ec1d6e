import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Catalog } from '../../core/catalog/catalog';
import type { JobRecord } from '../../core/jobs/job-record';
import type { JobStore } from '../../core/jobs/job-store';
import type { BatchKeys } from './batch-keys';
import { CUSTOM_ID_PATTERN, customIdOf, type BatchLimits } from './batch-provider';
import type { JobSettlement } from './job-settlement';
import { groupOf, type PendingJob, type PendingPool } from './pending-pool';
import type { BatchProviderRegistry } from '../../providers/registry';

/** Stands in for a real intent id when measuring a line: intent ids all have this length. */
const SAMPLE_INTENT_ID = 'pb0000000000000000';

/** Inbox ids taken per round trip. */
const TAKE = 200;

export interface InboxIntakeDeps {
  redis: Redis;
  keys: BatchKeys;
  store: JobStore;
  catalog: Catalog;
  providers: BatchProviderRegistry;
  pool: PendingPool;
  settlement: JobSettlement;
  /** Effective per-batch limits of a provider (its own, or lower configured caps). */
  limitsOf: (provider: string) => BatchLimits;
  marginMs: number;
  log: Logger;
}

/**
 * Takes parked jobs from the inbox (pushed atomically with their deferral)
 * into their pending group. Crash-safe like the finished-job outbox: ids move
 * to a processing list first and leave it only once admitted; on start,
 * whatever a dead submitter left there is admitted again (admission is
 * idempotent). A job that cannot go to a batch (no batch API configured for
 * its provider, a line larger than a whole batch) is handed to the
 * synchronous path instead of waiting forever.
 */
export class InboxIntake {
  constructor(private readonly deps: InboxIntakeDeps) {}

  /** Re-admits what a previous process left half-taken. */
  async recover(): Promise<number> {
    const { redis, keys } = this.deps;
    const left = await redis.lrange(keys.inboxProcessing, 0, -1);
    if (left.length) await this.admitAndAck(left);
    return left.length;
  }

  /**
   * Takes up to TAKE ids (waiting up to `blockSeconds` for the first, on the
   * given blocking connection) and admits them. Returns how many were taken.
   */
  async take(blocking: Redis, blockSeconds: number): Promise<number> {
    const { keys } = this.deps;
    const first = await blocking.blmove(keys.inbox, keys.inboxProcessing, 'RIGHT', 'LEFT', blockSeconds);
    if (!first) return 0;
    const more = blocking.pipeline();
    for (let i = 1; i < TAKE; i++) more.lmove(keys.inbox, keys.inboxProcessing, 'RIGHT', 'LEFT');
    const moved = ((await more.exec()) ?? []).map(([, id]) => id).filter((id): id is string => typeof id === 'string');
    const ids = [first, ...moved];
    await this.admitAndAck(ids);
    return ids.length;
  }

  private async admitAndAck(ids: string[]): Promise<void> {
    await this.admit(ids);
    const ack = this.deps.redis.pipeline();
    for (const id of ids) ack.lrem(this.deps.keys.inboxProcessing, 1, id);
    await ack.exec();
  }

  async admit(ids: readonly string[]): Promise<void> {
    const { store, pool, settlement, log } = this.deps;
    const records = await Promise.all(ids.map((id) => store.load(id)));
    const pending: PendingJob[] = [];
    const unbatchable: string[] = [];
    const late: string[] = [];
    const now = Date.now();
    for (const job of records) {
      if (!job || job.status !== 'deferred' || !job.deferred) continue;
      const admitted = this.pendingOf(job);
      if (!admitted) unbatchable.push(job.id);
      // Its deadline is already within the safety margin: no provider batch can meet it.
      else if (admitted.fallbackAt !== undefined && admitted.fallbackAt <= now) late.push(job.id);
      else pending.push(admitted);
    }
    await pool.add(pending);
    for (const id of unbatchable) {
      log.warn({ jobId: id }, 'deferred job cannot go to a provider batch; running it synchronously');
      await settlement.fallback(id, 'not_batchable');
    }
    for (const id of late) await settlement.fallback(id, 'deadline');
    if (pending.length) log.debug({ jobs: pending.length }, 'deferred jobs admitted');
  }

  private pendingOf(job: JobRecord): PendingJob | undefined {
    const { catalog, providers, limitsOf, marginMs } = this.deps;
    const model = job.route ? catalog.find(job.route.model) : undefined;
    const provider = model ? providers.find(model.provider) : undefined;
    if (!model || !provider || !job.deferred) return undefined;
    const sample = customIdOf(SAMPLE_INTENT_ID, job.id);
    if (!CUSTOM_ID_PATTERN.test(sample)) return undefined;
    const bytes = Buffer.byteLength(provider.encodeLine(sample, job.deferred.request, model), 'utf8') + 1;
    if (bytes > limitsOf(provider.name).maxBytes) return undefined;
    const deadline = job.options.deadline ? Date.parse(job.options.deadline) : undefined;
    return {
      jobId: job.id,
      group: groupOf(provider.name, model.id),
      bytes,
      // The wait for a batch to fill counts from admission: jobs held up in the inbox (a burst, a submitter back
      // from downtime) still get packed together; deadlines have their own rule.
      deferredAt: Date.now(),
      deadline,
      fallbackAt: deadline !== undefined ? deadline - marginMs : undefined,
    };
  }
}
