import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Catalog } from '../../core/catalog/catalog';
import { ProviderError } from '../../core/errors/provider-error';
import type { JobRecord } from '../../core/jobs/job-record';
import type { JobOutcomes } from '../../core/jobs/job-outcomes';
import type { JobStore } from '../../core/jobs/job-store';
import { recordBatchState } from '../../platform/metrics/record-events';
import { BatchCollection, type CollectionProbes } from './batch-collection';
import { BatchKeys } from './batch-keys';
import type { BatchLimits, BatchProvider } from './batch-provider';
import { flushReason } from './flush-policy';
import { InboxIntake } from './inbox-intake';
import { IntentStore, newIntentId, type Intent } from './intent-store';
import { JobSettlement, type SettlementDeps } from './job-settlement';
import { Lease } from './lease';
import { PendingPool, parseGroup } from './pending-pool';
import { BatchSubmission, type SubmissionDeps, type SubmissionProbes } from './batch-submission';
import type { BatchProviderRegistry } from '../../providers/registry';
import type { TierStats } from './tier-stats';

export interface BatchEngineOptions {
  /** Longest the oldest job of a group waits before the group is sent, ms. */
  maxWaitMs: number;
  /** Caps below the providers' own limits (tests use tiny ones). */
  maxRequests?: number;
  maxBytes?: number;
  /** Expected provider batch duration, ms (flush early enough for a deadline; re-batch only when it fits). */
  turnaroundMs: number;
  /** Safety margin before a deadline, ms. */
  marginMs: number;
  /** Lease on an intent or a group flush, ms. */
  leaseMs: number;
  /** First status check after submission and the polling base, ms. */
  pollBaseMs: number;
  /** Longest wait between two checks (and between two submission attempts), ms. */
  pollMaxMs: number;
  /** Batch submissions per job before it fails (its retry budget). */
  retryBudget: number;
}

export interface BatchEngineDeps {
  redis: Redis;
  prefix: string;
  store: JobStore;
  outcomes: JobOutcomes;
  catalog: Catalog;
  providers: BatchProviderRegistry;
  /** Puts a job handed back to the synchronous path on the pipeline queue (idempotent). */
  enqueueSync: (job: JobRecord) => Promise<void>;
  /** The pipeline stages' after-completion hooks for a batch-answered job (see JobSettlement). Default: none. */
  afterComplete?: SettlementDeps['afterComplete'];
  options: BatchEngineOptions;
  /** A synchronous provider call for the prompt-cache warm-up before a batch (batch-warmup.ts); without it none. */
  warmup?: SubmissionDeps['warmup'];
  /** Where each provider batch's measured turnaround goes (the tier choice reads it). Default: not recorded. */
  tierStats?: TierStats;
  probes?: SubmissionProbes & CollectionProbes;
  log: Logger;
}

/**
 * The batch lever's submitter logic, independent of how it is scheduled:
 * admit parked jobs, flush groups into intents, submit intents, check and
 * collect provider batches, hand jobs whose deadline nears to the
 * synchronous path. Every step holds a lease and is safe to replay, so any
 * number of submitter processes may run it and any of them may die.
 */
export class BatchEngine {
  readonly keys: BatchKeys;
  readonly intents: IntentStore;
  readonly pool: PendingPool;
  readonly settlement: JobSettlement;
  readonly intake: InboxIntake;
  private readonly submission: BatchSubmission;
  private readonly collection: BatchCollection;

  constructor(private readonly deps: BatchEngineDeps) {
    const { redis, options, log } = deps;
    this.keys = new BatchKeys(deps.prefix);
    this.intents = new IntentStore(redis, this.keys);
    this.pool = new PendingPool(redis, this.keys);
    this.settlement = new JobSettlement({
      redis,
      keys: this.keys,
      store: deps.store,
      outcomes: deps.outcomes,
      catalog: deps.catalog,
      pool: this.pool,
      intents: this.intents,
      enqueueSync: deps.enqueueSync,
      cancelProviderBatch: (intent) => this.cancelProviderBatch(intent),
      afterComplete: deps.afterComplete,
      retryBudget: options.retryBudget,
      marginMs: options.marginMs,
      turnaroundMs: options.turnaroundMs,
      log,
    });
    this.intake = new InboxIntake({
      redis,
      keys: this.keys,
      store: deps.store,
      catalog: deps.catalog,
      providers: deps.providers,
      pool: this.pool,
      settlement: this.settlement,
      limitsOf: (provider) => this.limitsOf(provider),
      marginMs: options.marginMs,
      log,
    });
    this.submission = new BatchSubmission({ intents: this.intents, store: deps.store, catalog: deps.catalog, options, probes: deps.probes, warmup: deps.warmup, tierStats: deps.tierStats, log });
    this.collection = new BatchCollection({ intents: this.intents, settlement: this.settlement, probes: deps.probes, log });
  }

  /** A provider's per-batch limits after the configured caps. */
  limitsOf(provider: string): BatchLimits {
    const own = this.deps.providers.get(provider).limits;
    const { maxRequests, maxBytes } = this.deps.options;
    return { maxRequests: Math.min(own.maxRequests, maxRequests ?? Infinity), maxBytes: Math.min(own.maxBytes, maxBytes ?? Infinity) };
  }

  /** Sends every group that is full, waited long enough or has a near deadline; returns the intents created. */
  async flush(now = Date.now()): Promise<number> {
    const groups = (await this.pool.groups()).filter((g) => g.count > 0);
    if (!groups.length) return 0;
    const backlog = (await this.deps.redis.llen(this.keys.inbox)) > 0;
    const created = await Promise.all(groups.map((g) => this.flushGroup(g.group, now, backlog)));
    return created.reduce((a, b) => a + b, 0);
  }

  private async flushGroup(group: string, now: number, backlog: boolean): Promise<number> {
    const { provider, model } = parseGroup(group);
    if (!this.deps.providers.has(provider)) return 0;
    const lease = await Lease.acquire(this.deps.redis, this.keys.flushLock(group), this.deps.options.leaseMs);
    if (!lease) return 0;
    let created = 0;
    try {
      const limits = this.limitsOf(provider);
      for (;;) {
        const state = (await this.pool.groups()).find((g) => g.group === group);
        const reason =
          state && flushReason(state, { ...limits, maxWaitMs: this.deps.options.maxWaitMs, turnaroundMs: this.deps.options.turnaroundMs, marginMs: this.deps.options.marginMs }, now, backlog);
        if (!reason) break;
        const intentId = newIntentId();
        const claimed = await this.pool.claim(group, intentId, provider, model, limits.maxRequests, limits.maxBytes, Date.now());
        if (claimed.count === 0) break;
        created += 1;
        this.deps.log.info({ intent: intentId, group, jobs: claimed.count, bytes: claimed.bytes, reason }, 'provider batch intent recorded');
        // The provider refuses right now: the intent retries with backoff; no more intents for it meanwhile.
        if ((await this.process(intentId)) !== 'submitted') break;
      }
    } finally {
      await lease.release();
    }
    return created;
  }

  /** Works on every intent that is due: submissions to retry, batches to check. */
  async processDue(now = Date.now(), concurrency = 8): Promise<void> {
    const due = await this.intents.due(now, 200);
    for (let i = 0; i < due.length; i += concurrency) await Promise.all(due.slice(i, i + concurrency).map((id) => this.process(id)));
  }

  /** Checks a provider batch now (its webhook arrived); false when it is not one of ours. */
  async checkProviderBatch(provider: string, providerBatchId: string): Promise<boolean> {
    const intentId = await this.intents.byProviderId(provider, providerBatchId);
    if (!intentId) return false;
    await this.process(intentId);
    return true;
  }

  /** Hands every job whose fallback is due (deadline − margin passed) to the synchronous path. */
  async sweepFallbacks(now = Date.now()): Promise<number> {
    const due = await this.settlement.dueFallbacks(now);
    for (const jobId of due) {
      try {
        await this.settlement.handOver(jobId);
      } catch (err) {
        this.deps.log.warn({ err: { message: (err as Error).message }, jobId }, 'fallback hand-over failed; retrying next sweep');
      }
    }
    return due.length;
  }

  /**
   * One intent, under its lease: submit it, or check and collect its provider
   * batch. Returns what happened ('busy' when another submitter holds it).
   */
  async process(intentId: string): Promise<'submitted' | 'busy' | 'done' | 'retry'> {
    const { redis, options, log } = this.deps;
    const lease = await Lease.acquire(redis, this.keys.lease(intentId), options.leaseMs);
    if (!lease) return 'busy';
    try {
      const intent = await this.intents.load(intentId);
      if (!intent) {
        await redis.zrem(this.keys.intents, intentId);
        return 'done';
      }
      const provider = this.deps.providers.find(intent.provider);
      if (!provider) {
        log.error({ intent: intentId, provider: intent.provider }, 'no batch provider configured for an intent; running its jobs synchronously');
        await this.abandon(intent, 'not_batchable');
        return 'done';
      }
      if (intent.cancelRequested && intent.state === 'prepared' && intent.attempts === 0) {
        // Every job was cancelled before the batch was sent: nothing goes to the provider.
        log.info({ intent: intentId }, 'every job of the intent was cancelled before submission; not sent');
        await this.abandon(intent, 'all_cancelled');
        return 'done';
      }
      if (intent.state !== 'prepared') {
        if (intent.cancelRequested && !intent.cancelSent) await this.cancelProviderBatch(intent, 'every job of the provider batch was cancelled or handed back');
        await this.poll(intent, provider, lease);
        return 'done';
      }
      const result = await this.submission.submit(intent, provider, lease);
      if (result === 'rejected') await this.abandon(intent, 'batch_rejected');
      else if (result === 'submitted') recordBatchState('submitted', provider.name);
      return result === 'submitted' ? 'submitted' : result === 'rejected' ? 'done' : 'retry';
    } catch (err) {
      const retryIn = this.retryDelay(err, 1);
      log.warn({ err: { message: (err as Error).message }, intent: intentId, retryInMs: retryIn }, 'provider batch step failed; will retry');
      await this.intents.schedule(intentId, Date.now() + retryIn).catch(() => undefined);
      return 'retry';
    } finally {
      await lease.release();
    }
  }

  private async poll(intent: Intent, provider: BatchProvider, lease: Lease): Promise<void> {
    const { options } = this.deps;
    if (!intent.providerBatchId) throw new Error(`intent ${intent.id} is ${intent.state} without a provider batch id`);
    let state;
    try {
      state = await provider.retrieve(intent.providerBatchId);
    } catch (err) {
      if (err instanceof ProviderError && err.status === 404) {
        // The provider does not know this batch (a wrong tentative match, or it was deleted): look again.
        await this.intents.unconfirm(intent, Date.now());
        return;
      }
      const checks = intent.checks + 1;
      await this.intents.schedule(intent.id, Date.now() + this.retryDelay(err, checks), { checks });
      return;
    }
    if (!state.ended) {
      const checks = intent.checks + 1;
      const wait = Math.min(options.pollMaxMs, options.pollBaseMs * 1.5 ** checks);
      await this.intents.schedule(intent.id, Date.now() + wait, { checks });
      return;
    }
    const outcome = await this.collection.collect(intent, provider, state, lease);
    if (outcome !== 'done') return;
    recordBatchState(state.outcome ?? state.status, provider.name);
    await this.recordTurnaround(intent, state.outcome);
    if (intent.warmup === 'done') {
      const cachedRead = await this.intents.cachedRead(intent.id);
      const shareable = intent.warmupPrefixTokens * intent.size;
      this.deps.log.info(
        { intent: intent.id, cachedReadTokens: cachedRead, shareablePrefixTokens: shareable, share: shareable ? Math.round((cachedRead / shareable) * 1000) / 1000 : 0, warmupUsd: intent.warmupUsd },
        'prompt-cache warm-up: cached reads obtained',
      );
    }
    await provider.release?.(state, intent).catch(() => undefined);
    await this.intents.finish(intent);
  }

  /**
   * A completed provider batch's turnaround, from its intent (the group's
   * flush) to its end as we observed it: what a deferred job waits. Cancelled,
   * expired or failed batches say nothing about turnaround.
   */
  private async recordTurnaround(intent: Intent, outcome: string | undefined): Promise<void> {
    if (!this.deps.tierStats || (outcome !== undefined && outcome !== 'completed') || !intent.createdAt) return;
    try {
      await this.deps.tierStats.recordBatch(intent.provider, intent.model, Date.now() - intent.createdAt);
    } catch (err) {
      this.deps.log.warn({ err: { message: (err as Error).message }, intent: intent.id }, 'could not record a batch turnaround');
    }
  }

  /** Every job of an intent that will not reach a provider goes synchronous; the intent ends. */
  private async abandon(intent: Intent, reason: 'batch_rejected' | 'not_batchable' | 'all_cancelled'): Promise<void> {
    for await (const ids of this.intents.jobIds(intent.id)) for (const id of ids) await this.settlement.fallback(id, reason);
    await this.intents.finish(intent);
  }

  private async cancelProviderBatch(intent: Intent, why = 'every job of the provider batch went synchronous'): Promise<void> {
    if (!intent.providerBatchId) return;
    try {
      await this.deps.providers.get(intent.provider).cancel(intent.providerBatchId);
      await this.intents.markCancelSent(intent.id);
      this.deps.log.info({ intent: intent.id, providerBatchId: intent.providerBatchId }, `${why}; batch cancelled at the provider`);
      await this.intents.schedule(intent.id, Date.now() + this.deps.options.pollBaseMs);
    } catch (err) {
      this.deps.log.warn({ err: { message: (err as Error).message }, intent: intent.id }, 'could not cancel a provider batch nobody waits for');
    }
  }

  /** Exponential backoff with jitter, at least the provider's retry-after, at most pollMaxMs. */
  retryDelay(err: unknown, attempt: number): number {
    const ceiling = Math.min(this.deps.options.pollMaxMs, 1_000 * 2 ** Math.min(20, Math.max(0, attempt - 1)));
    const jittered = ceiling * (0.5 + Math.random() / 2);
    const asked = err instanceof ProviderError ? (err.retryAfterMs ?? 0) : 0;
    return Math.max(jittered, asked);
  }
}
