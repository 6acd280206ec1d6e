import type { Redis } from 'ioredis';
import type { BatchKeys } from './batch-keys';

/**
 * Deferred jobs waiting for a provider batch, grouped per provider + model
 * (one model per OpenAI input file; packing the same model together keeps
 * groups simple for Anthropic too). Every change is one Lua script, so a job
 * is at any time either pending in exactly one group or owned by exactly one
 * intent, never both, never neither.
 */

/** Seconds a job's batch tracking lives: past any provider window (24 h) plus retries. */
const TRACKING_TTL_SECONDS = 8 * 24 * 3600;

const ADD = `
-- KEYS: tracking, pending, pending-deadline, pending-bytes, groups, fallbacks
-- ARGV: group, bytes, deadline ms or '', deferred-at ms, fallback-at ms or '', job id, ttl
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'group', ARGV[1], 'bytes', ARGV[2], 'deadline', ARGV[3], 'intent', '', 'tries', 0)
redis.call('EXPIRE', KEYS[1], ARGV[7])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[6])
if ARGV[3] ~= '' then redis.call('ZADD', KEYS[3], ARGV[3], ARGV[6]) end
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[6], ARGV[5], ARGV[6]) end
redis.call('HINCRBY', KEYS[4], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[5], ARGV[1])
return 1
`;

const REQUEUE = `
-- A job whose batch request failed goes back to its group, if the failing intent still owns it.
-- KEYS: tracking, pending, pending-deadline, pending-bytes
-- ARGV: intent id, now ms, job id
if redis.call('HGET', KEYS[1], 'intent') ~= ARGV[1] then return 0 end
local group = redis.call('HGET', KEYS[1], 'group')
local bytes = redis.call('HGET', KEYS[1], 'bytes')
local deadline = redis.call('HGET', KEYS[1], 'deadline')
redis.call('HSET', KEYS[1], 'intent', '')
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
if deadline and deadline ~= '' then redis.call('ZADD', KEYS[3], deadline, ARGV[3]) end
redis.call('HINCRBY', KEYS[4], group, bytes)
return 1
`;

const CLAIM = `
-- Moves up to max jobs (and max bytes) of a group, oldest first, into a new intent.
-- KEYS: pending, pending-deadline, pending-bytes, intent, intent jobs, intents
-- ARGV: group, intent id, max count, max bytes, tracking prefix, record prefix, provider, model, now ms
local max, maxBytes = tonumber(ARGV[3]), tonumber(ARGV[4])
local ids = redis.call('ZRANGE', KEYS[1], 0, max * 2 - 1)
local n, total = 0, 0
for _, id in ipairs(ids) do
  if n >= max then break end
  local t = ARGV[5] .. id
  local owner = redis.call('HGET', t, 'intent')
  local bytes = tonumber(redis.call('HGET', t, 'bytes') or '0')
  local status = redis.call('HGET', ARGV[6] .. id, 'status')
  if status ~= 'deferred' or owner ~= '' then
    -- No longer waiting (finished, handed back, expired): drop it from the group.
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
    if owner == '' then
      redis.call('HINCRBY', KEYS[3], ARGV[1], -bytes)
      redis.call('DEL', t)
    end
  else
    if n > 0 and total + bytes > maxBytes then break end
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
    redis.call('HINCRBY', KEYS[3], ARGV[1], -bytes)
    redis.call('HSET', t, 'intent', ARGV[2])
    redis.call('HINCRBY', t, 'tries', 1)
    redis.call('RPUSH', KEYS[5], id)
    n = n + 1
    total = total + bytes
  end
end
if n == 0 then return {0, 0} end
redis.call('HSET', KEYS[4], 'provider', ARGV[7], 'model', ARGV[8], 'group', ARGV[1], 'state', 'prepared', 'size', n, 'bytes', total, 'attempts', 0, 'created_at', ARGV[9], 'fallbacks', 0)
redis.call('ZADD', KEYS[6], ARGV[9], ARGV[2])
return {n, total}
`;

const WITHDRAW = `
-- A cancelled job leaves its group, if it is still pending there (not yet claimed by an intent). Inside an intent it
-- stays (its line may be at the provider), counted once as nobody-waits-for-it; when that makes every job of the
-- intent, the intent is flagged for cancellation at the provider and made due now.
-- KEYS: tracking, fallbacks, pending-bytes, intents
-- ARGV: job id, pending key prefix, pending-deadline key prefix, intent key prefix
local group = redis.call('HGET', KEYS[1], 'group')
if not group then return 'untracked' end
local owner = redis.call('HGET', KEYS[1], 'intent')
if owner ~= '' then
  if redis.call('HGET', KEYS[1], 'counted') == '1' then return 'in_batch' end
  local ik = ARGV[4] .. owner
  if redis.call('EXISTS', ik) == 0 then return 'in_batch' end
  redis.call('HSET', KEYS[1], 'counted', '1')
  redis.call('ZREM', KEYS[2], ARGV[1])
  local n = redis.call('HINCRBY', ik, 'fallbacks', 1)
  local size = tonumber(redis.call('HGET', ik, 'size') or '0')
  if size > 0 and n >= size then
    redis.call('HSET', ik, 'cancel_requested', '1')
    redis.call('ZADD', KEYS[4], 0, owner)
    return 'in_batch_all_cancelled'
  end
  return 'in_batch'
end
if redis.call('ZREM', ARGV[2] .. group, ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[3], group, -tonumber(redis.call('HGET', KEYS[1], 'bytes') or '0'))
end
redis.call('ZREM', ARGV[3] .. group, ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
return 'withdrawn'
`;

/**
 * Where a cancelled job was in the batch lever: still pending (now withdrawn), inside an intent (whose every job is
 * now cancelled or handed back: the provider batch is to be cancelled), or not admitted yet.
 */
export type WithdrawResult = 'withdrawn' | 'in_batch' | 'in_batch_all_cancelled' | 'untracked';

interface PoolRedis {
  parsimonyBatchWithdraw(...args: (string | number)[]): Promise<WithdrawResult>;
  parsimonyBatchAdd(...args: (string | number)[]): Promise<number>;
  parsimonyBatchRequeue(...args: (string | number)[]): Promise<number>;
  parsimonyBatchClaim(...args: (string | number)[]): Promise<[number, number]>;
}

/** The same script queued on a pipeline: it returns the pipeline (the result comes with exec()), not a promise. */
interface PoolPipeline {
  parsimonyBatchAdd(...args: (string | number)[]): PoolPipeline;
}

export interface PendingJob {
  jobId: string;
  group: string;
  /** Bytes of the job's batch line. */
  bytes: number;
  deferredAt: number;
  deadline?: number;
  /** When its synchronous fallback is due (deadline − margin). */
  fallbackAt?: number;
}

export interface GroupState {
  group: string;
  count: number;
  bytes: number;
  /** Deferral time of the oldest pending job, ms. */
  oldest?: number;
  /** Tightest deadline among the pending jobs, ms. */
  tightestDeadline?: number;
}

export class PendingPool {
  private readonly lua: PoolRedis;

  constructor(
    private readonly redis: Redis,
    private readonly keys: BatchKeys,
  ) {
    if (!('parsimonyBatchClaim' in redis)) {
      redis.defineCommand('parsimonyBatchAdd', { numberOfKeys: 6, lua: ADD });
      redis.defineCommand('parsimonyBatchRequeue', { numberOfKeys: 4, lua: REQUEUE });
      redis.defineCommand('parsimonyBatchClaim', { numberOfKeys: 6, lua: CLAIM });
    }
    if (!('parsimonyBatchWithdraw' in redis)) redis.defineCommand('parsimonyBatchWithdraw', { numberOfKeys: 4, lua: WITHDRAW });
    this.lua = redis as unknown as PoolRedis;
  }

  /** Adds jobs to their groups (pipelined). A job already tracked is left alone, so intake may repeat after a crash. */
  async add(jobs: readonly PendingJob[]): Promise<void> {
    if (!jobs.length) return;
    const k = this.keys;
    const pipeline = this.redis.pipeline();
    for (const j of jobs) {
      (pipeline as unknown as PoolPipeline).parsimonyBatchAdd(
        k.job(j.jobId),
        k.pending(j.group),
        k.pendingDeadlines(j.group),
        k.pendingBytes,
        k.groups,
        k.fallbacks,
        j.group,
        j.bytes,
        j.deadline ?? '',
        j.deferredAt,
        j.fallbackAt ?? '',
        j.jobId,
        TRACKING_TTL_SECONDS,
      );
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** Puts a job whose batch request failed back in its group; false when `intentId` no longer owns it. */
  async requeue(jobId: string, group: string, intentId: string, now: number): Promise<boolean> {
    const k = this.keys;
    return (await this.lua.parsimonyBatchRequeue(k.job(jobId), k.pending(group), k.pendingDeadlines(group), k.pendingBytes, intentId, now, jobId)) === 1;
  }

  /**
   * Takes a cancelled job out of its group when it is still pending there. A
   * job already in an intent stays (its line may be at the provider: its
   * result is discarded on arrival); when every job of that intent is
   * cancelled or handed back, the intent is flagged and made due so the
   * submitter cancels the provider batch nobody waits for; one still in the inbox is skipped at
   * admission (it is no longer 'deferred'). Without this call the lever
   * drops a cancelled job by itself at its group's next claim.
   */
  async withdraw(jobId: string): Promise<WithdrawResult> {
    const k = this.keys;
    return this.lua.parsimonyBatchWithdraw(k.job(jobId), k.fallbacks, k.pendingBytes, k.intents, jobId, k.pending(''), k.pendingDeadlines(''), k.intent(''));
  }

  /** Moves the oldest jobs of a group into a new intent; returns how many and their bytes (0 when none were waiting). */
  async claim(group: string, intentId: string, provider: string, model: string, maxCount: number, maxBytes: number, now: number): Promise<{ count: number; bytes: number }> {
    const k = this.keys;
    const [count, bytes] = await this.lua.parsimonyBatchClaim(
      k.pending(group),
      k.pendingDeadlines(group),
      k.pendingBytes,
      k.intent(intentId),
      k.intentJobs(intentId),
      k.intents,
      group,
      intentId,
      maxCount,
      maxBytes,
      k.jobPrefix,
      k.recordPrefix,
      provider,
      model,
      now,
    );
    return { count: Number(count), bytes: Number(bytes) };
  }

  /** Every group's size, bytes, oldest job and tightest deadline (a few round trips, pipelined). */
  async groups(): Promise<GroupState[]> {
    const k = this.keys;
    const names = await this.redis.smembers(k.groups);
    if (!names.length) return [];
    const pipeline = this.redis.pipeline();
    for (const g of names) {
      pipeline.zcard(k.pending(g));
      pipeline.hget(k.pendingBytes, g);
      pipeline.zrange(k.pending(g), 0, '0', 'WITHSCORES');
      pipeline.zrange(k.pendingDeadlines(g), 0, '0', 'WITHSCORES');
    }
    const r = ((await pipeline.exec()) ?? []).map(([err, value]) => {
      if (err) throw err;
      return value;
    });
    return names.map((group, i) => {
      const oldest = r[4 * i + 2] as string[];
      const tightest = r[4 * i + 3] as string[];
      return {
        group,
        count: Number(r[4 * i]),
        bytes: Number(r[4 * i + 1] ?? 0),
        oldest: oldest.length ? Number(oldest[1]) : undefined,
        tightestDeadline: tightest.length ? Number(tightest[1]) : undefined,
      };
    });
  }
}

/** A group key: provider and catalog model id. */
export function groupOf(provider: string, model: string): string {
  return `${provider}|${model}`;
}

export function parseGroup(group: string): { provider: string; model: string } {
  const bar = group.indexOf('|');
  return { provider: group.slice(0, bar), model: group.slice(bar + 1) };
}
