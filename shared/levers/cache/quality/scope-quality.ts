import type { Redis } from 'ioredis';
import { keyPart } from '../../../platform/redis/key-part';
import { DEFAULT_ERROR_BOUND, nextThreshold, wilsonInterval, type ErrorBoundConfig } from './error-bound';

/**
 * Per-scope quality of the semantic tier, in Redis: served semantic hits,
 * checks and their outcomes, the check spend, and the scope's adapted
 * threshold. Hash `${prefix}:cache:q:<tenant>:<scope>`; the tenant's scopes
 * in the set `${prefix}:cache:qs:<tenant>`. Kept 30 days after the last write.
 */
const TTL_SECONDS = 30 * 24 * 3600;

export interface ScopeQualityReport {
  scope: string;
  hits: number;
  checked: number;
  agreed: number;
  disagreed: number;
  agreement: number | null;
  threshold: number | null;
  estimated_error: { rate: number | null; low: number; high: number; confidence: number };
  within_bound: boolean;
  check_cost_usd: number;
  invalidated: number;
}

/** KEYS: quality hash. ARGV: threshold read (or ''), new threshold. Sets when unchanged since the read, or when higher. */
const SET_THRESHOLD = `local cur = redis.call('HGET', KEYS[1], 'threshold')
if (not cur and ARGV[1] == '') or cur == ARGV[1] or (cur and tonumber(ARGV[2]) > tonumber(cur)) then
  redis.call('HSET', KEYS[1], 'threshold', ARGV[2])
  return 1
end
return 0`;

interface CasRedis {
  parsimonyCacheSetThreshold(key: string, read: string, next: string): Promise<number>;
}

export class ScopeQuality {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly bound: ErrorBoundConfig = DEFAULT_ERROR_BOUND,
  ) {
    if (!('parsimonyCacheSetThreshold' in redis)) redis.defineCommand('parsimonyCacheSetThreshold', { numberOfKeys: 1, lua: SET_THRESHOLD });
  }

  private key(tenant: string, scope: string): string {
    return `${this.prefix}:cache:q:${keyPart(tenant)}:${keyPart(scope)}`;
  }

  private scopes(tenant: string): string {
    return `${this.prefix}:cache:qs:${keyPart(tenant)}`;
  }

  /** One served semantic hit. */
  async recordHit(tenant: string, scope: string): Promise<void> {
    const key = this.key(tenant, scope);
    await this.redis.multi().hincrby(key, 'hits', 1).expire(key, TTL_SECONDS).sadd(this.scopes(tenant), scope).expire(this.scopes(tenant), TTL_SECONDS).exec();
  }

  /** The scope's adapted threshold, bounded below by configured − maxRelax; `configured` when it has none yet. */
  async threshold(tenant: string, scope: string, configured: number): Promise<number> {
    const raw = await this.redis.hget(this.key(tenant, scope), 'threshold');
    if (raw === null) return configured;
    return Math.max(Number(raw), configured - this.bound.maxRelax);
  }

  /**
   * Records one check and moves the threshold. The counters move atomically;
   * the threshold is a compare-and-set against the value the move was computed
   * from, except that a tightening always lands (the higher value wins), so two
   * comparers can only ever err on the safe side. Returns the new threshold.
   */
  async recordCheck(tenant: string, scope: string, check: { agree: boolean; score: number; configured: number; costUsd: number; invalidated: boolean }): Promise<number> {
    const key = this.key(tenant, scope);
    const res = await this.redis
      .multi()
      .hincrby(key, 'checked', 1)
      .hincrby(key, check.agree ? 'agreed' : 'disagreed', 1)
      .hget(key, 'disagreed')
      .hget(key, 'threshold')
      .hincrbyfloat(key, 'cost_usd', check.costUsd)
      .hincrby(key, 'invalidated', check.invalidated ? 1 : 0)
      .expire(key, TTL_SECONDS)
      .sadd(this.scopes(tenant), scope)
      .expire(this.scopes(tenant), TTL_SECONDS)
      .exec();
    const checked = Number(res?.[0]?.[1] ?? 1);
    const disagreed = Number(res?.[2]?.[1] ?? 0);
    const current = (res?.[3]?.[1] as string | null) ?? null;
    const state = { checked, disagreed, threshold: current === null ? check.configured : Number(current) };
    const next = nextThreshold(state, check.agree, check.score, check.configured, this.bound);
    await (this.redis as unknown as CasRedis).parsimonyCacheSetThreshold(key, current ?? '', String(next));
    return next;
  }

  /** The tenant's scopes, most-hit first. */
  async report(tenant: string): Promise<ScopeQualityReport[]> {
    const scopes = await this.redis.smembers(this.scopes(tenant));
    const p = this.redis.pipeline();
    for (const s of scopes) p.hgetall(this.key(tenant, s));
    const rows = (await p.exec()) ?? [];
    const confidence = Math.round(normalCdf(this.bound.z) * 1000) / 1000;
    const r4 = (x: number) => Math.round(x * 10000) / 10000;
    return scopes
      .map((scope, i) => {
        const h = (rows[i]?.[1] ?? {}) as Record<string, string>;
        const n = (f: string) => Number(h[f] ?? 0);
        const checked = n('checked');
        const { low, high } = wilsonInterval(n('disagreed'), checked, this.bound.z);
        return {
          scope,
          hits: n('hits'),
          checked,
          agreed: n('agreed'),
          disagreed: n('disagreed'),
          agreement: checked ? r4(n('agreed') / checked) : null,
          threshold: h.threshold === undefined ? null : r4(Number(h.threshold)),
          estimated_error: { rate: checked ? r4(n('disagreed') / checked) : null, low: r4(low), high: r4(high), confidence },
          within_bound: high < this.bound.maxError,
          check_cost_usd: Math.round(n('cost_usd') * 1e8) / 1e8,
          invalidated: n('invalidated'),
        };
      })
      .sort((a, b) => b.hits - a.hits);
  }
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26), for stating the bound's confidence. */
function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
