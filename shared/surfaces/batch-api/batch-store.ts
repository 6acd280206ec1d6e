import type { Redis } from 'ioredis';
import { recordBatchState } from '../../platform/metrics/record-events';
import type { BatchEnd, BatchErrorEntry, BatchMeta, BatchStatus, StoredBatch } from './batch-record';
import { isBatchId } from './batch-record';
import { sortedPage, type Page, type PageQuery } from './sorted-page';

const TRANSITION_SCRIPT = `
-- KEYS[1] batch; ARGV[1] ',from,' list, ARGV[2] new status, ARGV[3..] field/value pairs
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return '' end
if not string.find(ARGV[1], ',' .. status .. ',', 1, true) then return status end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 'OK'
`;

const OPEN_SCRIPT = `
-- Ends validation. KEYS[1] batch; ARGV: total, invalid, now
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return '' end
if redis.call('HGET', KEYS[1], 'opened') == '1' then return status end
redis.call('HSET', KEYS[1], 'total', ARGV[1], 'opened', '1')
redis.call('HINCRBY', KEYS[1], 'failed', ARGV[2])
if status == 'validating' then
  redis.call('HSET', KEYS[1], 'status', 'in_progress', 'in_progress_at', ARGV[3])
  return 'in_progress'
end
return status
`;

const RECORD_LINE_SCRIPT = `
-- Counts one finished line once. KEYS[1] batch, KEYS[2] done set; ARGV: job id, outcome, ttl
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'', 0, 0, 0, 0} end
if status == 'validating' or status == 'in_progress' or status == 'cancelling' then
  if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then
    redis.call('EXPIRE', KEYS[2], ARGV[3])
    if ARGV[2] == 'completed' then redis.call('HINCRBY', KEYS[1], 'completed', 1)
    else redis.call('HINCRBY', KEYS[1], 'failed', 1) end
  end
end
local v = redis.call('HMGET', KEYS[1], 'total', 'completed', 'failed', 'opened')
return {status, tonumber(v[1] or '0'), tonumber(v[2] or '0'), tonumber(v[3] or '0'), v[4] == '1' and 1 or 0}
`;

export interface LineProgress {
  status: BatchStatus | '';
  total: number;
  completed: number;
  failed: number;
  opened: boolean;
}

const ADVANCE_FED_SCRIPT = `
-- KEYS[1] batch; ARGV: expected position, new position
if (redis.call('HGET', KEYS[1], 'fed') or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'fed', ARGV[2])
return 1
`;

type Scripts = {
  parsimonyBatchAdvanceFed(key: string, from: number, to: number): Promise<number>;
  parsimonyBatchTransition(key: string, ...args: (string | number)[]): Promise<string>;
  parsimonyBatchOpen(key: string, total: number, invalid: number, now: number): Promise<string>;
  parsimonyBatchRecordLine(key: string, doneKey: string, jobId: string, outcome: string, ttl: number): Promise<[string, number, number, number, number]>;
};

/**
 * Parsimony batches in Redis: a hash per batch (meta, status, counters,
 * timestamps), the list of its line jobs ("<line>:<job id>", in input
 * order), the list of its invalid lines, the set of lines already counted,
 * a per-tenant index and the set of open batches the sweeper watches.
 * Status changes are compare-and-set, like job records.
 */
export class BatchStore {
  private readonly scripts: Scripts;

  constructor(
    readonly redis: Redis,
    private readonly prefix: string,
  ) {
    if (!('parsimonyBatchTransition' in redis)) {
      redis.defineCommand('parsimonyBatchTransition', { numberOfKeys: 1, lua: TRANSITION_SCRIPT });
      redis.defineCommand('parsimonyBatchOpen', { numberOfKeys: 1, lua: OPEN_SCRIPT });
      redis.defineCommand('parsimonyBatchRecordLine', { numberOfKeys: 2, lua: RECORD_LINE_SCRIPT });
      redis.defineCommand('parsimonyBatchAdvanceFed', { numberOfKeys: 1, lua: ADVANCE_FED_SCRIPT });
    }
    this.scripts = redis as unknown as Scripts;
  }

  key(id: string): string {
    return `${this.prefix}:batch:${id}`;
  }
  linesKey(id: string): string {
    return `${this.key(id)}:lines`;
  }
  invalidKey(id: string): string {
    return `${this.key(id)}:invalid`;
  }
  doneKey(id: string): string {
    return `${this.key(id)}:done`;
  }
  customIdsKey(id: string): string {
    return `${this.key(id)}:custom-ids`;
  }
  leaseKey(id: string, what: 'intake' | 'finalize'): string {
    return `${this.key(id)}:${what}-lease`;
  }
  private indexKey(tenant: string): string {
    return `${this.prefix}:batch-index:${tenant}`;
  }
  private get openKey(): string {
    return `${this.prefix}:batches-open`;
  }

  /** Stores a new batch in `validating`, with its intake lease taken. */
  async create(meta: BatchMeta, leaseMs: number): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key(meta.id), { tenant: meta.tenant, meta: JSON.stringify(meta), status: 'validating', total: 0, completed: 0, failed: 0, lines: 0, fed: 0 })
      .set(this.leaseKey(meta.id, 'intake'), '1', 'PX', leaseMs)
      .zadd(this.indexKey(meta.tenant), Date.now(), meta.id)
      .zadd(this.openKey, meta.expires_at * 1000, meta.id)
      .exec();
    recordBatchState('validating');
  }

  async get(tenant: string, id: string): Promise<StoredBatch | undefined> {
    const batch = await this.load(id);
    return batch && batch.meta.tenant === tenant ? batch : undefined;
  }

  async load(id: string): Promise<StoredBatch | undefined> {
    if (!isBatchId(id)) return undefined;
    const hash = await this.redis.hgetall(this.key(id));
    return hash.meta ? toStored(hash) : undefined;
  }

  list(tenant: string, query: PageQuery): Promise<Page<StoredBatch>> {
    return sortedPage(this.redis, this.indexKey(tenant), query, (ids) => Promise.all(ids.map((id) => this.get(tenant, id))));
  }

  /** Compare-and-set of the status, setting `fields` with it. */
  async transition(id: string, from: readonly BatchStatus[], to: BatchStatus, fields: Record<string, string | number> = {}): Promise<{ ok: boolean; status: BatchStatus | '' }> {
    const result = await this.scripts.parsimonyBatchTransition(this.key(id), `,${from.join(',')},`, to, ...Object.entries(fields).flat());
    if (result !== 'OK') return { ok: false, status: result as BatchStatus | '' };
    recordBatchState(to);
    return { ok: true, status: to };
  }

  /** Ends validation: sets the totals and moves `validating` to `in_progress`. Returns the status after. */
  async open(id: string, total: number, invalid: number): Promise<BatchStatus | ''> {
    const status = (await this.scripts.parsimonyBatchOpen(this.key(id), total, invalid, Math.floor(Date.now() / 1000))) as BatchStatus | '';
    if (status === 'in_progress') recordBatchState(status);
    return status;
  }

  /** Counts a finished line job (once, however often it is reported). */
  async recordLine(id: string, jobId: string, outcome: 'completed' | 'failed' | 'cancelled', ttlSeconds: number): Promise<LineProgress> {
    const [status, total, completed, failed, opened] = await this.scripts.parsimonyBatchRecordLine(this.key(id), this.doneKey(id), jobId, outcome, ttlSeconds);
    return { status: status as BatchStatus | '', total, completed, failed, opened: opened === 1 };
  }

  /** The cancel task went through every line of a cancelling batch. */
  async markLinesCancelled(id: string): Promise<void> {
    await this.redis.hset(this.key(id), 'lines_cancelled', '1');
  }

  /** Moves the feed position from `from` to `to` if no one else moved it. */
  async advanceFed(id: string, from: number, to: number): Promise<boolean> {
    return (await this.scripts.parsimonyBatchAdvanceFed(this.key(id), from, to)) === 1;
  }

  /** Line entries [start, start + count) as { line, jobId }. */
  async lines(id: string, start: number, count: number): Promise<{ line: number; jobId: string }[]> {
    const raw = await this.redis.lrange(this.linesKey(id), start, start + count - 1);
    return raw.map((entry) => {
      const colon = entry.indexOf(':');
      return { line: Number(entry.slice(0, colon)), jobId: entry.slice(colon + 1) };
    });
  }

  async invalidLines(id: string, start: number, count: number): Promise<string[]> {
    return this.redis.lrange(this.invalidKey(id), start, start + count - 1);
  }

  async takeLease(id: string, what: 'intake' | 'finalize', ms: number): Promise<boolean> {
    return (await this.redis.set(this.leaseKey(id, what), '1', 'PX', ms, 'NX')) === 'OK';
  }
  async renewLease(id: string, what: 'intake' | 'finalize', ms: number): Promise<void> {
    await this.redis.set(this.leaseKey(id, what), '1', 'PX', ms);
  }
  async releaseLease(id: string, what: 'intake' | 'finalize'): Promise<void> {
    await this.redis.del(this.leaseKey(id, what));
  }
  async hasLease(id: string, what: 'intake' | 'finalize'): Promise<boolean> {
    return (await this.redis.exists(this.leaseKey(id, what))) === 1;
  }

  /** Batches the sweeper watches, soonest expiry first: `count` from position `start`. */
  openBatches(start: number, count: number): Promise<string[]> {
    return this.redis.zrange(this.openKey, String(start), String(start + count - 1));
  }

  /** After a final status: stop watching, drop the working lists, keep the record for `retentionSeconds`. */
  async retire(id: string, tenant: string, retentionSeconds: number): Promise<void> {
    await this.redis
      .multi()
      .zrem(this.openKey, id)
      .del(this.linesKey(id), this.invalidKey(id), this.doneKey(id), this.customIdsKey(id), this.leaseKey(id, 'intake'), this.leaseKey(id, 'finalize'))
      .expire(this.key(id), retentionSeconds)
      .expire(this.indexKey(tenant), retentionSeconds)
      .exec();
  }

  /** Removes every trace of a batch (creation rolled back). */
  async remove(id: string, tenant: string): Promise<void> {
    await this.redis
      .multi()
      .zrem(this.openKey, id)
      .zrem(this.indexKey(tenant), id)
      .del(this.key(id), this.linesKey(id), this.invalidKey(id), this.doneKey(id), this.customIdsKey(id), this.leaseKey(id, 'intake'), this.leaseKey(id, 'finalize'))
      .exec();
  }

  async forget(id: string): Promise<void> {
    await this.redis.zrem(this.openKey, id);
  }
}

function toStored(hash: Record<string, string>): StoredBatch {
  const num = (name: string) => (hash[name] ? Number(hash[name]) : undefined);
  const json = <T>(name: string): T | null => (hash[name] ? (JSON.parse(hash[name]) as T) : null);
  const times: StoredBatch['times'] = {};
  for (const name of ['in_progress_at', 'finalizing_at', 'completed_at', 'failed_at', 'expired_at', 'cancelling_at', 'cancelled_at'] as const) {
    const value = num(name);
    if (value !== undefined) times[name] = value;
  }
  return {
    meta: JSON.parse(hash.meta) as BatchMeta,
    status: hash.status as BatchStatus,
    total: num('total') ?? 0,
    completed: num('completed') ?? 0,
    failed: num('failed') ?? 0,
    lines: num('lines') ?? 0,
    fed: num('fed') ?? 0,
    opened: hash.opened === '1',
    linesCancelled: hash.lines_cancelled === '1',
    end: (hash.end as BatchEnd) || undefined,
    times,
    output_file_id: hash.output_file_id || null,
    error_file_id: hash.error_file_id || null,
    errors: json<BatchErrorEntry[]>('errors'),
    usage: json('usage'),
    cost: json('cost'),
  };
}
