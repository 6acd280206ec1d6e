import type { Redis } from 'ioredis';
import { CacheEntrySchema, ChatResponseSchema, type CacheEntry } from './cache-entry';
import { CacheKeys } from './cache-keys';
import { lockLua, type FlightClaim } from './single-flight';
import { tierAbove } from './tier-order';
import { TIERS } from '../../core/catalog/catalog';

/** An entry without its response: what a semantic candidate check needs (small, cheap to parse). */
export type EntryMeta = Omit<CacheEntry, 'response'>;

/** Records outlive their expiry by this long so the sweep can still read their indexes; never served (expires_at is checked on every read). */
const RECORD_GRACE_MS = 24 * 3600 * 1000;

const DEL_IF_EQUALS = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Exact tier in one round trip: the id the exact key holds, then that entry's
 * meta and response. ARGV[1] is the tenant's entry-key prefix: the entry key
 * is only known inside the script (fine on one Redis; not cluster-safe, like
 * the rest of the cache's multi-key writes). With a single-flight claim
 * (ARGV[2] token, '' = none), a request the exact tier cannot answer also
 * tries the flight lock (KEYS[2]) in the same step, so a miss learns whether it
 * leads without a second round trip.
 * Returns {id, meta, response, lock}: '' for what is missing; lock 1 = taken,
 * 0 = held by another, -1 = not tried (an entry was found, or no claim).
 */
const GET_EXACT = `local id = redis.call('GET', KEYS[1])
if id then
  local v = redis.call('HMGET', ARGV[1] .. id, 'm', 'r')
  if v[1] and v[2] then return {id, v[1], v[2], -1} end
end
local function lock()
${lockLua('KEYS[2]', 'ARGV[2]', 'ARGV[3]', 'ARGV[4]')}
end
if ARGV[2] == '' then return {id or '', '', '', -1} end
return {id or '', '', '', lock()}`;

/**
 * Stores an entry and its indexes in one atomic step. Unless ARGV[1] is '1'
 * (refresh), it stores nothing when the exact key exists: the key expires
 * with its entry, so an existing key means a live answer is already cached —
 * except when that answer's tier is one of ARGV[10] (',a,b,': the tiers below
 * the new entry's, whose answers cannot serve requests routed to its tier),
 * which the new entry then replaces. The held entry's tier is read here, so
 * the check and the write are one round trip.
 * KEYS: exact, entry, created, scope, expiry, tags…
 * ARGV: replace, meta, response, record expiry (ms), exact expiry (ms), id, created_at, expiry member,
 *       entry-key prefix, replaceable tiers
 */
const PUT_ENTRY = `local replace = ARGV[1] == '1'
if not replace and redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[10] == ',' then return 0 end
  local held = redis.call('GET', KEYS[1])
  local meta = held and redis.call('HGET', ARGV[9] .. held, 'm')
  if not meta then return 0 end
  local ok, decoded = pcall(cjson.decode, meta)
  if not (ok and type(decoded) == 'table' and type(decoded.tier) == 'string' and string.find(ARGV[10], ',' .. decoded.tier .. ',', 1, true)) then return 0 end
  replace = true
end
redis.call('HSET', KEYS[2], 'm', ARGV[2], 'r', ARGV[3])
redis.call('PEXPIREAT', KEYS[2], ARGV[4])
if replace then redis.call('SET', KEYS[1], ARGV[6], 'PXAT', ARGV[5]) else redis.call('SET', KEYS[1], ARGV[6], 'PXAT', ARGV[5], 'NX') end
redis.call('ZADD', KEYS[3], ARGV[7], ARGV[6])
redis.call('SADD', KEYS[4], ARGV[6])
redis.call('ZADD', KEYS[5], ARGV[5], ARGV[8])
for i = 6, #KEYS do redis.call('SADD', KEYS[i], ARGV[6]) end
return 1`;

/** Semantic candidates in one command: each entry's meta (KEYS[i] field m), then the first entry's response; false where missing. */
const GET_METAS = `local out = {}
for i = 1, #KEYS do out[i] = redis.call('HGET', KEYS[i], 'm') end
out[#KEYS + 1] = redis.call('HGET', KEYS[1], 'r')
return out`;

interface RepositoryRedis {
  parsimonyCacheGetExact(exactKey: string, lockKey: string, entryPrefix: string, token: string, ttlMs: number, ownerPrefix: string): Promise<[string, string, string, number]>;
  parsimonyCachePut(numKeys: number, ...args: (string | number)[]): Promise<number>;
  parsimonyCacheMetas(numKeys: number, ...keys: string[]): Promise<(string | null)[]>;
}

/** Cache entries and the exact tier in Redis. */
export class EntryRepository {
  readonly keys: CacheKeys;

  private readonly scripts: RepositoryRedis;

  constructor(
    readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new CacheKeys(prefix);
    if (!('parsimonyCacheGetExact' in redis)) {
      redis.defineCommand('parsimonyCacheGetExact', { numberOfKeys: 2, lua: GET_EXACT });
      redis.defineCommand('parsimonyCachePut', { lua: PUT_ENTRY });
      redis.defineCommand('parsimonyCacheMetas', { lua: GET_METAS });
    }
    this.scripts = redis as unknown as RepositoryRedis;
  }

  /**
   * Stores the entry with its indexes. Unless `replaceExact` (a refresh), an
   * entry whose request already has a live exact answer is not stored (returns
   * false) — unless that answer is from a tier below the entry's own
   * (`tierAbove`): it could not serve requests routed to this tier, so the
   * entry replaces it. One round trip.
   */
  async put(entry: CacheEntry, options: { replaceExact: boolean }): Promise<boolean> {
    const k = this.keys;
    const { response, ...meta } = entry;
    const keys = [
      k.exact(entry.tenant, entry.request_hash),
      k.entry(entry.tenant, entry.id),
      k.created(entry.tenant),
      k.scope(entry.tenant, entry.scope),
      k.expiry(),
      ...entry.tags.map((tag) => k.tag(entry.tenant, tag)),
    ];
    // Meta and response apart: candidate checks parse only the small meta; the response is read for the one served.
    const stored = await this.scripts.parsimonyCachePut(
      keys.length,
      ...keys,
      options.replaceExact ? '1' : '0',
      JSON.stringify(meta),
      JSON.stringify(response),
      entry.expires_at + RECORD_GRACE_MS,
      entry.expires_at,
      entry.id,
      entry.created_at,
      `${entry.tenant}\n${entry.id}`,
      k.entry(entry.tenant, ''),
      `,${TIERS.filter((tier) => tierAbove(entry.tier, tier))
        .map((tier) => `${tier},`)
        .join('')}`,
    );
    return stored === 1;
  }

  /** The live entry the exact tier holds for this request, or null (one round trip). */
  async getExact(tenant: string, hash: string, now: number): Promise<CacheEntry | null> {
    return (await this.getExactOrClaim(tenant, hash, now)).entry;
  }

  /**
   * The exact tier's live entry, and, when it holds no entry at all, the
   * single-flight lock attempted for `claim` in the same round trip. `won`:
   * true = this caller now leads, false = another does, undefined = not tried
   * (no claim, or an entry was there — even one the caller then cannot use).
   */
  async getExactOrClaim(tenant: string, hash: string, now: number, claim?: FlightClaim): Promise<{ entry: CacheEntry | null; won?: boolean }> {
    const [, meta, response, lock] = await this.scripts.parsimonyCacheGetExact(
      this.keys.exact(tenant, hash),
      claim?.lockKey ?? '',
      this.keys.entry(tenant, ''),
      claim?.token ?? '',
      claim?.ttlMs ?? 0,
      claim?.ownerPrefix ?? '',
    );
    const won = lock === -1 ? undefined : lock === 1;
    const entry = meta && response ? parseEntry(meta, response, tenant) : null;
    return { entry: entry && entry.request_hash === hash && entry.expires_at > now ? entry : null, won };
  }

  /** Whether the exact tier holds a live answer for this request (its key expires with the entry). */
  async hasExact(tenant: string, hash: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.exact(tenant, hash))) === 1;
  }

  async get(tenant: string, id: string): Promise<CacheEntry | null> {
    const [meta, response] = await this.redis.hmget(this.keys.entry(tenant, id), 'm', 'r');
    return parseEntry(meta, response, tenant);
  }

  /** Entries by id (null where missing); one round trip. */
  async getMany(tenant: string, ids: string[]): Promise<(CacheEntry | null)[]> {
    if (ids.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.hmget(this.keys.entry(tenant, id), 'm', 'r');
    const res = (await p.exec()) ?? [];
    return res.map(([, v]) => {
      const [meta, response] = (v as (string | null)[] | null) ?? [null, null];
      return parseEntry(meta, response, tenant);
    });
  }

  /** Metas by id (null where missing) and the first id's response, in one round trip; other responses stay in Redis. */
  async getMetas(tenant: string, ids: string[]): Promise<{ metas: (EntryMeta | null)[]; first: CacheEntry['response'] | null }> {
    if (ids.length === 0) return { metas: [], first: null };
    const raw = await this.readMetas(tenant, ids);
    return { metas: raw.slice(0, ids.length).map((v) => parseMeta(v, tenant)), first: parseResponse(raw[ids.length]) };
  }

  /** The metas' and the first response's raw values: one script call (one command, not one HGET per candidate). */
  private readMetas(tenant: string, ids: string[]): Promise<(string | null)[]> {
    return this.scripts.parsimonyCacheMetas(ids.length, ...ids.map((id) => this.keys.entry(tenant, id)));
  }

  async getResponse(tenant: string, id: string): Promise<CacheEntry['response'] | null> {
    return parseResponse(await this.redis.hget(this.keys.entry(tenant, id), 'r'));
  }

  /** Removes an entry and every index that points at it. */
  async remove(entry: Pick<CacheEntry, 'tenant' | 'id' | 'scope' | 'tags' | 'request_hash'>): Promise<void> {
    const k = this.keys;
    const m = this.redis.multi();
    m.del(k.entry(entry.tenant, entry.id));
    m.eval(DEL_IF_EQUALS, 1, k.exact(entry.tenant, entry.request_hash), entry.id);
    m.zrem(k.created(entry.tenant), entry.id);
    m.srem(k.scope(entry.tenant, entry.scope), entry.id);
    for (const tag of entry.tags) m.srem(k.tag(entry.tenant, tag), entry.id);
    m.zrem(k.expiry(), `${entry.tenant}\n${entry.id}`);
    await m.exec();
  }

  /** Drops index references to an id whose record is already gone. */
  async forget(tenant: string, id: string): Promise<void> {
    await this.redis.multi().zrem(this.keys.created(tenant), id).zrem(this.keys.expiry(), `${tenant}\n${id}`).exec();
  }

  /** Up to `limit` (tenant, id) pairs whose expiry is at or before now. */
  async expiredBatch(now: number, limit: number): Promise<{ tenant: string; id: string }[]> {
    const members = await this.redis.zrangebyscore(this.keys.expiry(), '-inf', now, 'LIMIT', 0, limit);
    return members.map((m) => {
      const at = m.lastIndexOf('\n');
      return { tenant: m.slice(0, at), id: m.slice(at + 1) };
    });
  }

  async idsByScope(tenant: string, scope: string): Promise<string[]> {
    return this.redis.smembers(this.keys.scope(tenant, scope));
  }

  async idsByTag(tenant: string, tag: string): Promise<string[]> {
    return this.redis.smembers(this.keys.tag(tenant, tag));
  }

  /** Ids created before `before` (epoch ms), or all when undefined. */
  async idsCreatedBefore(tenant: string, before?: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.created(tenant), '-inf', before === undefined ? '+inf' : `(${before}`);
  }
}

const MetaSchema = CacheEntrySchema.omit({ response: true });

function parseMeta(raw: string | null, tenant: string): EntryMeta | null {
  if (!raw) return null;
  const parsed = MetaSchema.safeParse(JSON.parse(raw));
  // A record that is not this tenant's is never returned, whatever key it was read from.
  return parsed.success && parsed.data.tenant === tenant ? parsed.data : null;
}

function parseResponse(raw: string | null): CacheEntry['response'] | null {
  if (!raw) return null;
  const parsed = ChatResponseSchema.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : null;
}

function parseEntry(meta: string | null, response: string | null, tenant: string): CacheEntry | null {
  const m = parseMeta(meta, tenant);
  if (!m || !response) return null;
  const r = ChatResponseSchema.safeParse(JSON.parse(response));
  return r.success ? { ...m, response: r.data } : null;
}
