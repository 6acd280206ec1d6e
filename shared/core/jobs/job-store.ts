import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { JobRecord, JobStatus } from './job-record';
import { TERMINAL_STATUSES } from './job-record';
import { keyPart, sha256OfUserString } from '../../platform/redis/key-part';

/**
 * Job records in Redis. A record is one hash: `tenant`, `status` and the
 * whole record as JSON. Status changes go through one Lua script that checks
 * the current status first, so two workers racing on one job can never both
 * complete it (exactly one result per job id).
 */

const CREATE_SCRIPT = `
-- KEYS[1] job key, KEYS[2] idempotency key ('' when none), KEYS[3] watch set ('' when none)
-- ARGV[1] tenant, ARGV[2] status, ARGV[3] record json, ARGV[4] idempotency value, ARGV[5] ttl seconds,
-- ARGV[6] watch score, ARGV[7] watch member
if KEYS[2] ~= '' then
  local existing = redis.call('GET', KEYS[2])
  if existing then return {0, existing} end
  redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[5])
end
redis.call('HSET', KEYS[1], 'tenant', ARGV[1], 'status', ARGV[2], 'record', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[5])
if KEYS[3] ~= '' then redis.call('ZADD', KEYS[3], ARGV[6], ARGV[7]) end
return {1, ARGV[4]}
`;

const TRANSITION_SCRIPT = `
-- KEYS[1] job key, KEYS[2..] keys touched by the side effects
-- ARGV[1] allowed statuses joined by ',' (with leading and trailing ','),
-- ARGV[2] new status, ARGV[3] record json, ARGV[4] ttl seconds (0 = keep),
-- ARGV[5] ttl of the touched keys, then per effect (KEYS[1 + i]): kind, a, b
--   kind 'h': HINCRBYFLOAT key a b      kind 'l': LPUSH key a (b unused)
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return '' end
if not string.find(ARGV[1], ',' .. status .. ',', 1, true) then return status end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'record', ARGV[3])
if tonumber(ARGV[4]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
local expiring = {}
for i = 2, #KEYS do
  local base = 6 + (i - 2) * 3
  local kind = ARGV[base]
  if kind == 'h' then
    redis.call('HINCRBYFLOAT', KEYS[i], ARGV[base + 1], ARGV[base + 2])
    -- one EXPIRE per aggregate key, not per field (a completion touches ~20 fields of one hash)
    if not expiring[KEYS[i]] then
      expiring[KEYS[i]] = true
      redis.call('EXPIRE', KEYS[i], ARGV[5])
    end
  elseif kind == 'l' then
    redis.call('LPUSH', KEYS[i], ARGV[base + 1])
  end
end
return 'OK'
`;

interface JobStoreRedis {
  hget(key: string, field: string): Promise<string | null>;
  parsimonyCreateJob(
    jobKey: string,
    idemKey: string,
    watchKey: string,
    tenant: string,
    status: string,
    record: string,
    idemValue: string,
    ttl: number,
    watchScore: number,
    watchMember: string,
  ): Promise<[number, string]>;
  parsimonyTransitionJob(numKeys: number, ...args: (string | number)[]): Promise<string>;
}

/**
 * Side effects applied in the same atomic step as a status change: counters
 * (so an aggregate counts each job exactly once however often the job is
 * retried, polled or re-delivered) and outbox pushes (so an event about the
 * change, e.g. a webhook, can never be lost between two writes).
 */
export type AtomicEffect = { key: string; field: string; by: number } | { key: string; push: string };

/** How long aggregate hashes live (400 days covers a year of reports). */
const AGGREGATE_TTL_SECONDS = 400 * 24 * 3600;

/** A sorted-set entry written in the same step as a new record (SyncJobWatch: jobs a producer runs itself). */
export interface WatchEntry {
  key: string;
  member: string;
  score: number;
}

export type TransitionResult = { ok: true; job: JobRecord } | { ok: false; job: JobRecord | undefined };

export interface JobStoreOptions {
  /** Key prefix, e.g. "parsimony". */
  prefix: string;
  /** Seconds a record (and its idempotency key) lives. */
  retentionSeconds: number;
}

export class IdempotencyConflictError extends Error {
  constructor(readonly existingJobId: string) {
    super('this idempotency key was already used with a different request');
  }
}

export class JobStore {
  private readonly redis: JobStoreRedis;

  constructor(
    private readonly connection: Redis,
    private readonly options: JobStoreOptions,
  ) {
    const redis = connection;
    if (!('parsimonyCreateJob' in redis)) {
      redis.defineCommand('parsimonyCreateJob', { numberOfKeys: 3, lua: CREATE_SCRIPT });
      // Key count varies with the number of aggregate increments, so it is passed per call.
      redis.defineCommand('parsimonyTransitionJob', { lua: TRANSITION_SCRIPT });
    }
    this.redis = redis as unknown as JobStoreRedis;
  }

  /** Whether Redis answers right now (the producer's connection fails fast instead of queueing). */
  isReady(): boolean {
    return this.connection.status === 'ready';
  }

  static newId(): string {
    return `job_${randomId12()}`;
  }

  /**
   * Stores a new job. With an idempotency key, a second call from the same
   * tenant returns the first job (or throws IdempotencyConflictError when the
   * request differs) and stores nothing. `watch`: a sorted-set entry added atomically with the record.
   */
  async create(job: JobRecord, idempotencyKey?: string, watch?: WatchEntry): Promise<{ job: JobRecord; created: boolean }> {
    const fingerprint = idempotencyKey ? requestFingerprint(job) : '';
    const idemKey = idempotencyKey ? `${this.options.prefix}:idem:${keyPart(job.tenant)}:${sha256OfUserString(idempotencyKey)}` : '';
    const [created, value] = await this.redis.parsimonyCreateJob(
      this.jobKey(job.id),
      idemKey,
      watch?.key ?? '',
      job.tenant,
      job.status,
      JSON.stringify(job),
      `${job.id}|${fingerprint}`,
      this.options.retentionSeconds,
      watch?.score ?? 0,
      watch?.member ?? '',
    );
    if (created === 1) return { job, created: true };
    const [existingId, existingFingerprint] = value.split('|');
    if (existingFingerprint !== fingerprint) throw new IdempotencyConflictError(existingId);
    const existing = await this.get(job.tenant, existingId);
    if (!existing) throw new Error(`idempotency key points at missing job ${existingId}`);
    return { job: existing, created: false };
  }

  /** The job, or undefined when it does not exist or belongs to another tenant. */
  async get(tenant: string, id: string): Promise<JobRecord | undefined> {
    const job = await this.load(id);
    return job && job.tenant === tenant ? job : undefined;
  }

  /** The job regardless of tenant: for workers, which hold the id from a trusted queue. */
  async load(id: string): Promise<JobRecord | undefined> {
    const raw = await this.redis.hget(this.jobKey(id), 'record');
    return raw ? (JSON.parse(raw) as JobRecord) : undefined;
  }

  /**
   * Moves a job to `to` if its current status is one of `from`, applying
   * `mutate` to the record. Returns the stored record either way.
   */
  async transition(
    id: string,
    from: readonly JobStatus[],
    to: JobStatus,
    mutate: (job: JobRecord) => void = () => {},
    effects: (job: JobRecord) => AtomicEffect[] = () => [],
    /**
     * The record as the caller already holds it, to save a read: the job the
     * caller itself moved to its current status (records change only through
     * status changes, and the status check in Redis still guards the write).
     * Copied shallowly, so `mutate` must assign top-level fields, not edit
     * nested objects in place.
     */
    known?: JobRecord,
  ): Promise<TransitionResult> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const job = attempt === 0 && known ? { ...known } : await this.load(id);
      if (!job || !from.includes(job.status)) return { ok: false, job };
      mutate(job);
      job.status = to;
      const ttl = TERMINAL_STATUSES.includes(to) ? this.options.retentionSeconds : 0;
      const extra = effects(job).filter((e) => !('by' in e) || (e.by !== 0 && Number.isFinite(e.by)));
      const result = await this.redis.parsimonyTransitionJob(
        1 + extra.length,
        this.jobKey(id),
        ...extra.map((e) => e.key),
        `,${from.join(',')},`,
        to,
        JSON.stringify(job),
        ttl,
        AGGREGATE_TTL_SECONDS,
        ...extra.flatMap((e) => ('by' in e ? ['h', e.field, String(e.by)] : ['l', e.push, ''])),
      );
      if (result === 'OK') return { ok: true, job };
      // The status moved under us (another worker, a cancel): re-read and re-check.
    }
    return { ok: false, job: await this.load(id) };
  }

  private jobKey(id: string): string {
    return `${this.options.prefix}:job:${id}`;
  }
}

/** 12 random bytes, base64url. Drawn from a pooled buffer: one CSPRNG call per 341 ids instead of one per id (hot path). */
const ID_POOL_BYTES = 4092;
let idPool = randomBytes(ID_POOL_BYTES);
let idPoolOffset = 0;
function randomId12(): string {
  if (idPoolOffset + 12 > ID_POOL_BYTES) {
    idPool = randomBytes(ID_POOL_BYTES);
    idPoolOffset = 0;
  }
  const id = idPool.toString('base64url', idPoolOffset, idPoolOffset + 12);
  idPoolOffset += 12;
  return id;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** What makes two submissions "the same request" for idempotency. */
function requestFingerprint(job: JobRecord): string {
  const { idempotency_key: _ignored, ...options } = job.options;
  return sha256(JSON.stringify({ request: job.request, options }));
}
