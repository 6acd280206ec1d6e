import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Catalog } from '../../core/catalog/catalog';
import { CostLedger } from '../../core/accounting/cost-ledger';
import type { JobError, JobRecord } from '../../core/jobs/job-record';
import type { JobOutcomes } from '../../core/jobs/job-outcomes';
import type { AtomicEffect, JobStore } from '../../core/jobs/job-store';
import { dayOf, savingsKey } from '../../core/accounting/savings-ledger';
import type { ChatResponse } from '../../core/chat-model';
import type { BatchKeys } from './batch-keys';
import { isSyncFallback } from './defer-policy';
import type { Intent, IntentStore } from './intent-store';
import type { PendingPool } from './pending-pool';

const FORGET = `
-- A job leaves the batch lever (handed to the synchronous path): out of its group, or counted as a fallback of its intent.
-- KEYS: tracking, fallbacks, pending-bytes
-- ARGV: job id, intent key prefix, pending key prefix, pending-deadline key prefix
local group = redis.call('HGET', KEYS[1], 'group')
local owner = redis.call('HGET', KEYS[1], 'intent')
local res = {'', 0, 0}
if group then
  if owner == '' then
    if redis.call('ZREM', ARGV[3] .. group, ARGV[1]) == 1 then
      redis.call('HINCRBY', KEYS[3], group, -tonumber(redis.call('HGET', KEYS[1], 'bytes') or '0'))
    end
    redis.call('ZREM', ARGV[4] .. group, ARGV[1])
  elseif owner and redis.call('HGET', KEYS[1], 'counted') ~= '1' then
    -- (A job cancelled inside its intent was counted by the withdrawal already.)
    local ik = ARGV[2] .. owner
    if redis.call('EXISTS', ik) == 1 then
      local n = redis.call('HINCRBY', ik, 'fallbacks', 1)
      res = {owner, n, tonumber(redis.call('HGET', ik, 'size') or '0')}
    end
  end
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return res
`;

export interface SettlementDeps {
  redis: Redis;
  keys: BatchKeys;
  store: JobStore;
  outcomes: JobOutcomes;
  catalog: Catalog;
  pool: PendingPool;
  intents: IntentStore;
  /** Puts a job (now 'queued') on the pipeline queue, idempotently. */
  enqueueSync: (job: JobRecord) => Promise<void>;
  /** Cancels a provider batch whose every job went synchronous. */
  cancelProviderBatch: (intent: Intent) => Promise<void>;
  /**
   * The pipeline stages' after-completion hooks (cache store, session floor,
   * shadow sample) for a job a batch answered; `job` is its record from just
   * before completion. Called once the completion is stored; must not throw.
   * Default: none.
   */
  afterComplete?: (job: JobRecord, response: ChatResponse) => Promise<void>;
  /** Batch submissions a job may use before it fails (the job's retry budget). */
  retryBudget: number;
  marginMs: number;
  turnaroundMs: number;
  log: Logger;
}

/**
 * What happens to one deferred job at the end: completed from a batch result
 * (priced at the batch price, the levers' savings restored from its ledger),
 * failed, sent back to a batch, or handed to the synchronous path. Every
 * final step goes through JobOutcomes from status 'deferred', so a job ends
 * once whatever is replayed after a crash.
 */
export class JobSettlement {
  constructor(private readonly deps: SettlementDeps) {
    if (!('parsimonyBatchForget' in deps.redis)) deps.redis.defineCommand('parsimonyBatchForget', { numberOfKeys: 3, lua: FORGET });
  }

  /**
   * Completes a job from its batch result; false when it was already settled
   * (or handed back, or cancelled: a cancelled job's result is discarded, its
   * cost still accounted, see discard()).
   *
   * Then the stages' after-completion hooks run, best effort: the completion
   * is a compare-and-set from 'deferred' and comes first, so a crash between
   * the two loses the hooks (the cache misses that answer, no shadow is
   * sampled for it) but a replayed result never completes the job twice, nor
   * runs its hooks twice.
   */
  async complete(jobId: string, intent: Intent, response: ChatResponse, record?: JobRecord): Promise<boolean> {
    const { store, outcomes, catalog } = this.deps;
    const job = record ?? (await store.load(jobId));
    if (job?.status === 'cancelled') {
      await this.discard(job, intent, response);
      return false;
    }
    if (!job || job.status !== 'deferred') return false;
    const model = catalog.find(job.route?.model ?? intent.model) ?? catalog.get(intent.model);
    const ledger = CostLedger.fromJSON(job.deferred?.ledger);
    ledger.batched = true;
    // The prompt-cache warm-up before the batch (batch-warmup.ts) is an overhead of the batch lever, shared by its jobs.
    const warmupShare = intent.warmup === 'done' && intent.size > 0 ? intent.warmupUsd / intent.size : 0;
    if (warmupShare) ledger.addOverhead(warmupShare);
    const cost = ledger.price(catalog, model, response.usage);
    const tries = Number((await this.deps.redis.hget(this.deps.keys.job(jobId), 'tries')) ?? 1);
    const warmup =
      intent.warmup === 'done'
        ? { warmup: { overhead_usd: Math.round(warmupShare * 1e8) / 1e8, shared_prefix_tokens: intent.warmupPrefixTokens, cached_input_tokens: response.usage.cached_input_tokens } }
        : {};
    const batch = {
      ...(job.annotations?.batch as object | undefined),
      path: 'batch',
      provider: intent.provider,
      provider_batch_id: intent.providerBatchId,
      intent_id: intent.id,
      batch_attempts: tries,
      ...warmup,
    };
    // `job` is current but for its status, which the compare-and-set checks in Redis: saves a read. The deferred
    // work (the shaped request) is no longer needed once the job is answered: the record sheds it.
    const known: JobRecord = { ...job, deferred: undefined };
    const done = await outcomes.complete(jobId, ['deferred'], { response, cost, deliveredBy: 'batch', route: job.route, annotations: { batch } }, known);
    if (!done.ok) {
      // Cancelled between our read and the compare-and-set.
      if (done.job?.status === 'cancelled') await this.discard(done.job, intent, response);
      return false;
    }
    await this.forgetTracking(jobId);
    await this.deps.intents.addCachedRead(intent.id, response.usage.cached_input_tokens).catch(() => undefined);
    if (this.deps.afterComplete) {
      const before: JobRecord = { ...job, annotations: { ...job.annotations, batch } };
      await this.deps.afterComplete(before, response).catch((err: Error) => this.deps.log.warn({ err: { message: err.message }, jobId }, 'after-complete hooks failed'));
    }
    return true;
  }

  /**
   * The result of a job cancelled while its provider batch ran: the answer is
   * thrown away (the job stays cancelled), but the provider bills it, so its
   * price at the batch rate is recorded on the job (`cost`, `usage`,
   * `annotations.batch.result = "discarded"`) and added to the tenant's
   * savings aggregates as actual spend and overhead (the identity
   * actual = baseline − levers + overhead still holds; `requests` does not
   * count it). Only for a job this intent still tracks; once per job: a
   * replayed result finds the marker the first one wrote (and the tracking
   * gone), and an intent's collection is leased, so two never race.
   */
  private async discard(job: JobRecord, intent: Intent, response: ChatResponse): Promise<void> {
    const { redis, keys, store, catalog, log } = this.deps;
    if ((await redis.hget(keys.job(job.id), 'intent')) !== intent.id) return;
    const model = catalog.find(job.route?.model ?? intent.model) ?? catalog.get(intent.model);
    const ledger = CostLedger.fromJSON(job.deferred?.ledger);
    ledger.batched = true;
    const spent = ledger.price(catalog, model, response.usage).actual_usd;
    const zero = { routing: 0, cache: 0, context: 0, compression: 0, prompt_cache: 0, batch: 0 };
    const result = await store
      .transition(
        job.id,
        ['cancelled'],
        'cancelled',
        (record) => {
          const previous = (record.annotations?.batch as { result?: string } | undefined) ?? {};
          if (previous.result === 'discarded') throw new AlreadyDiscarded();
          record.annotations = { ...record.annotations, batch: { ...previous, result: 'discarded', provider: intent.provider, provider_batch_id: intent.providerBatchId, intent_id: intent.id } };
          record.usage = response.usage;
          record.cost = { baseline_usd: 0, actual_usd: spent, saved_usd: -spent, overhead_usd: spent, by_lever: zero };
          record.deferred = undefined;
        },
        (record) => discardIncrements(keys.prefix, record, spent),
      )
      .catch((err: unknown) => {
        if (err instanceof AlreadyDiscarded) return undefined;
        throw err;
      });
    await this.forgetTracking(job.id);
    if (result?.ok) log.info({ jobId: job.id, intent: intent.id, spentUsd: spent }, 'result of a cancelled job discarded; its cost is accounted');
  }

  /**
   * A job's batch request failed: sent to a new batch when retryable, within
   * its retry budget and its deadline allows; to the synchronous path when
   * retryable but the deadline is near; failed with the provider's error
   * otherwise. Ignored when another intent owns the job by now.
   */
  async failed(jobId: string, intent: Intent, error: JobError, retryable: boolean, now = Date.now()): Promise<'requeued' | 'fallback' | 'failed' | 'skipped'> {
    const { redis, keys, store, outcomes, retryBudget } = this.deps;
    const tracking = await redis.hgetall(keys.job(jobId));
    if (tracking.intent !== intent.id) return 'skipped';
    const job = await store.load(jobId);
    if (!job || job.status !== 'deferred') {
      // Cancelled while in this batch (nothing billed for a failed request) or gone: nothing waits for it here.
      if (!job || job.status === 'cancelled') await this.forgetTracking(jobId);
      return 'skipped';
    }
    const tries = Number(tracking.tries ?? 1);
    if (!retryable || tries >= retryBudget) {
      const failed = await outcomes.fail(jobId, ['deferred'], error, job.route);
      if (failed.ok) await this.forgetTracking(jobId);
      this.deps.log.warn({ jobId, intent: intent.id, tries, error }, 'deferred job failed');
      return 'failed';
    }
    const deadline = tracking.deadline ? Number(tracking.deadline) : undefined;
    if (deadline === undefined || deadline - now > this.deps.marginMs + this.deps.turnaroundMs) {
      if (await this.deps.pool.requeue(jobId, tracking.group, intent.id, now)) return 'requeued';
      return 'skipped';
    }
    await this.fallback(jobId, 'retry');
    return 'fallback';
  }

  /**
   * Hands a deferred job to the synchronous path: it is marked due in the
   * fallback set first, so whatever crashes next, the deadline sweep finishes
   * the hand-over.
   */
  async fallback(jobId: string, reason: 'deadline' | 'retry' | 'batch_rejected' | 'not_batchable' | 'all_cancelled'): Promise<void> {
    const { redis, keys } = this.deps;
    await redis.multi().zadd(keys.fallbacks, 0, jobId).hset(keys.job(jobId), 'fallback_reason', reason).exec();
    await this.handOver(jobId);
  }

  /**
   * Runs one due fallback (idempotent): deferred → queued with the
   * `sync_fallback` annotation the defer stage passes through, onto the
   * pipeline queue (the router-worker runs it synchronously), then out of the
   * batch lever. A provider batch whose every job went this way is cancelled.
   */
  async handOver(jobId: string): Promise<void> {
    const { redis, keys, store, intents } = this.deps;
    const tracking = await redis.hgetall(keys.job(jobId));
    let job = await store.load(jobId);
    if (job?.status === 'deferred') {
      const intent = tracking.intent ? await intents.load(tracking.intent) : undefined;
      const reason = tracking.fallback_reason || 'deadline';
      const moved = await store.transition(jobId, ['deferred'], 'queued', (record) => {
        const previous = (record.annotations?.batch as object | undefined) ?? {};
        const batch = { ...previous, path: 'sync_fallback', fallback_reason: reason, ...(intent?.providerBatchId ? { provider_batch_id: intent.providerBatchId, intent_id: intent.id } : {}) };
        record.annotations = { ...record.annotations, batch };
      });
      job = moved.job;
      if (moved.ok) this.deps.log.info({ jobId, reason, intent: intent?.id }, 'deferred job handed to the synchronous path');
    }
    if (job?.status === 'queued' && isSyncFallback(job)) await this.deps.enqueueSync(job);
    const [owner, fallbacks, size] = (await (redis as unknown as ForgetRedis).parsimonyBatchForget(
      keys.job(jobId),
      keys.fallbacks,
      keys.pendingBytes,
      jobId,
      keys.intent(''),
      keys.pending(''),
      keys.pendingDeadlines(''),
    )) as [string, number, number];
    if (owner && size > 0 && Number(fallbacks) >= Number(size)) {
      const intent = await intents.load(owner);
      if (intent?.state === 'submitted') await this.deps.cancelProviderBatch(intent);
    }
  }

  /** Fallbacks due by `until` (deadline − margin passed, or asked for now). */
  dueFallbacks(until: number, limit = 200): Promise<string[]> {
    return this.deps.redis.zrangebyscore(this.deps.keys.fallbacks, '-inf', String(until), 'LIMIT', 0, limit);
  }

  private async forgetTracking(jobId: string): Promise<void> {
    const { redis, keys } = this.deps;
    await redis.multi().del(keys.job(jobId)).zrem(keys.fallbacks, jobId).exec();
  }
}

class AlreadyDiscarded extends Error {}

/** Savings aggregate increments for the billed result of a cancelled job: spend, overhead and tokens, not a request. */
function discardIncrements(prefix: string, job: JobRecord, spent: number): AtomicEffect[] {
  // Counted on the day the provider billed it (the result arrived), not the day of the cancellation.
  const key = savingsKey(prefix, job.tenant, dayOf(new Date().toISOString()));
  const groups = ['all', `model:${job.route?.model ?? 'unknown'}`, `task:${job.options.task ?? 'unspecified'}`];
  const measures: [string, number][] = [
    ['actual_usd', spent],
    ['overhead_usd', spent],
    ['input_tokens', job.usage?.input_tokens ?? 0],
    ['output_tokens', job.usage?.output_tokens ?? 0],
    ['batch_discarded', 1],
  ];
  return groups.flatMap((group) => measures.map(([measure, by]) => ({ key, field: `${group}|${measure}`, by })));
}

interface ForgetRedis {
  parsimonyBatchForget(...args: (string | number)[]): Promise<unknown>;
}
