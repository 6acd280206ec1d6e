import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BatchKeys } from './batch-keys';
import type { IntentView } from './batch-provider';

/**
 * Intents: a provider batch Parsimony means to create, recorded in Redis (its
 * jobs, in line order, and so their custom_ids) before the provider is
 * called, and confirmed with the provider's batch id after. An intent that is
 * recorded but not confirmed may or may not exist at the provider: it is
 * reconciled (looked for) before anything is sent again.
 *
 * States: prepared (not known to exist at the provider) → submitted
 * (provider batch id known) → collecting (results being applied) → deleted.
 */
export type IntentState = 'prepared' | 'submitted' | 'collecting';

export interface Intent extends IntentView {
  group: string;
  state: IntentState;
  bytes: number;
  providerBatchId?: string;
  /** Matched to its provider batch on counts and time only; checked by custom_id at collection. */
  tentative: boolean;
  /** Jobs of this intent that were handed to the synchronous path. */
  fallbacks: number;
  /** Status checks made since submission (drives the polling backoff). */
  checks: number;
  submittedAt?: number;
  /** The prompt-cache warm-up (batch-warmup.ts): done (sent), skipped, or not decided yet. */
  warmup?: 'done' | 'skipped';
  /** What the warm-up call cost (standard price), shared by the intent's jobs as overhead. */
  warmupUsd: number;
  /** Estimated prefix tokens the warm-up wrote for the group. */
  warmupPrefixTokens: number;
  /** Anthropic lines and warm-up use 1-hour cache breakpoints. */
  warmupLongTtl: boolean;
  /** Every job was cancelled (or handed back) while the intent existed: cancel it at the provider. */
  cancelRequested: boolean;
  /** The provider was asked to cancel it. */
  cancelSent: boolean;
}

/** Intent ids have no '-' (the custom_id separator): `pb` + 16 hex digits. */
export function newIntentId(): string {
  return `pb${randomBytes(8).toString('hex')}`;
}

export class IntentStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: BatchKeys,
  ) {}

  async load(id: string): Promise<Intent | undefined> {
    const h = await this.redis.hgetall(this.keys.intent(id));
    if (!h.state) return undefined;
    return {
      id,
      provider: h.provider,
      model: h.model,
      group: h.group,
      state: h.state as IntentState,
      size: Number(h.size),
      bytes: Number(h.bytes),
      createdAt: Number(h.created_at),
      attempts: Number(h.attempts ?? 0),
      staged: h.file_id || undefined,
      providerBatchId: h.provider_batch_id || undefined,
      tentative: h.tentative === '1',
      fallbacks: Number(h.fallbacks ?? 0),
      checks: Number(h.checks ?? 0),
      submittedAt: h.submitted_at ? Number(h.submitted_at) : undefined,
      warmup: h.warmup === 'done' || h.warmup === 'skipped' ? h.warmup : undefined,
      warmupUsd: Number(h.warmup_usd ?? 0),
      warmupPrefixTokens: Number(h.warmup_prefix_tokens ?? 0),
      warmupLongTtl: h.warmup_ttl === '1h',
      cancelRequested: h.cancel_requested === '1',
      cancelSent: h.cancel_sent === '1',
    };
  }

  /** Job ids of an intent in line order, a chunk at a time (memory does not grow with the batch). */
  async *jobIds(id: string, chunk = 500): AsyncGenerator<string[]> {
    for (let start = 0; ; start += chunk) {
      const ids = await this.redis.lrange(this.keys.intentJobs(id), start, start + chunk - 1);
      if (ids.length) yield ids;
      if (ids.length < chunk) return;
    }
  }

  /** The intent owning each job now ('' while pending, undefined once settled). */
  async ownersOf(jobIds: readonly string[]): Promise<(string | undefined)[]> {
    if (!jobIds.length) return [];
    const pipeline = this.redis.pipeline();
    for (const id of jobIds) pipeline.hget(this.keys.job(id), 'intent');
    return ((await pipeline.exec()) ?? []).map(([err, value]) => {
      if (err) throw err;
      return (value as string | null) ?? undefined;
    });
  }

  /** Counted before each provider call, so a later attempt knows an earlier one may have reached the provider. */
  async countAttempt(id: string): Promise<number> {
    return this.redis.hincrby(this.keys.intent(id), 'attempts', 1);
  }

  /** The warm-up's outcome, recorded once so a replayed submission does not warm again. */
  async recordWarmup(id: string, outcome: { state: 'done' | 'skipped'; usd?: number; prefixTokens?: number; longTtl?: boolean }): Promise<void> {
    await this.redis.hset(
      this.keys.intent(id),
      'warmup',
      outcome.state,
      'warmup_usd',
      outcome.usd ?? 0,
      'warmup_prefix_tokens',
      outcome.prefixTokens ?? 0,
      'warmup_ttl',
      outcome.longTtl ? '1h' : '5m',
    );
  }

  async markCancelSent(id: string): Promise<void> {
    await this.redis.hset(this.keys.intent(id), 'cancel_sent', '1');
  }

  /** Cached-read tokens the intent's results obtained (the warm-up's effect), summed as results arrive. */
  async addCachedRead(id: string, tokens: number): Promise<void> {
    if (tokens > 0) await this.redis.hincrby(this.keys.intent(id), 'cached_read_tokens', tokens);
  }

  async cachedRead(id: string): Promise<number> {
    return Number((await this.redis.hget(this.keys.intent(id), 'cached_read_tokens')) ?? 0);
  }

  async recordStaged(id: string, staged: string): Promise<void> {
    await this.redis.hset(this.keys.intent(id), 'file_id', staged);
  }

  /** The provider batch exists: remember it (also by provider id, for webhooks) and check it at `nextCheck`. */
  async confirm(intent: Intent, providerBatchId: string, tentative: boolean, nextCheck: number): Promise<void> {
    const k = this.keys;
    await this.redis
      .multi()
      .hset(k.intent(intent.id), 'state', 'submitted', 'provider_batch_id', providerBatchId, 'tentative', tentative ? '1' : '0', 'submitted_at', Date.now(), 'checks', 0)
      .hset(k.byProviderId, `${intent.provider}:${providerBatchId}`, intent.id)
      .zadd(k.intents, nextCheck, intent.id)
      .exec();
  }

  /** A tentatively matched provider batch turned out not to be this intent's: forget it, look again. */
  async unconfirm(intent: Intent, retryAt: number): Promise<void> {
    if (!intent.providerBatchId) return;
    const k = this.keys;
    const ref = `${intent.provider}:${intent.providerBatchId}`;
    await this.redis
      .multi()
      .hset(k.intent(intent.id), 'state', 'prepared', 'tentative', '0')
      .hdel(k.intent(intent.id), 'provider_batch_id')
      .hdel(k.byProviderId, ref)
      .sadd(k.foreign, ref)
      .zadd(k.intents, retryAt, intent.id)
      .exec();
  }

  async setState(id: string, state: IntentState): Promise<void> {
    await this.redis.hset(this.keys.intent(id), 'state', state);
  }

  /** When the intent next needs attention (a submission retry, a status check). */
  async schedule(id: string, at: number, counters: { checks?: number } = {}): Promise<void> {
    const multi = this.redis.multi().zadd(this.keys.intents, at, id);
    if (counters.checks !== undefined) multi.hset(this.keys.intent(id), 'checks', counters.checks);
    await multi.exec();
  }

  /** Intents due for attention now, oldest first. */
  due(now: number, limit = 100): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.intents, '-inf', String(now), 'LIMIT', 0, limit);
  }

  /** Counts one more job handed to the synchronous path; returns the new count. */
  async countFallback(id: string): Promise<number> {
    return this.redis.hincrby(this.keys.intent(id), 'fallbacks', 1);
  }

  async byProviderId(provider: string, providerBatchId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.byProviderId, `${provider}:${providerBatchId}`)) ?? undefined;
  }

  /** Whether a provider batch is already accounted for (another intent's, or found foreign). */
  async isKnown(provider: string, providerBatchId: string): Promise<boolean> {
    const ref = `${provider}:${providerBatchId}`;
    const [owned, foreign] = await Promise.all([this.redis.hexists(this.keys.byProviderId, ref), this.redis.sismember(this.keys.foreign, ref)]);
    return owned === 1 || foreign === 1;
  }

  /** The intent is done: every job was settled. */
  async finish(intent: Intent): Promise<void> {
    const k = this.keys;
    const multi = this.redis.multi().del(k.intent(intent.id), k.intentJobs(intent.id)).zrem(k.intents, intent.id);
    if (intent.providerBatchId) multi.hdel(k.byProviderId, `${intent.provider}:${intent.providerBatchId}`);
    await multi.exec();
  }

  /** Intents in each state (for metrics and the bench). */
  async countByState(): Promise<Record<string, number>> {
    const ids = await this.redis.zrange(this.keys.intents, 0, '-1');
    const counts: Record<string, number> = { prepared: 0, submitted: 0, collecting: 0 };
    if (!ids.length) return counts;
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.keys.intent(id), 'state');
    for (const [, state] of (await pipeline.exec()) ?? []) if (typeof state === 'string') counts[state] = (counts[state] ?? 0) + 1;
    return counts;
  }
}
