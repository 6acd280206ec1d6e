import type { Redis } from 'ioredis';
import { savingsKey } from '../accounting/savings-ledger';
import type { TenantLimits } from './tenant-limits';

/** Sliding-window length for the per-minute limits. */
const WINDOW_MS = 60_000;

/**
 * One atomic step per admission: checks the day's spend, then requests and
 * tokens over a sliding minute, and only if all pass counts the request.
 * Time comes from Redis (TIME), so every producer process shares one clock.
 *
 * Sliding window counter: each limit keeps a hash of per-window counts
 * (field = window index); usage = previous window × the share of it still
 * inside the last minute + current window. Refused requests are not counted.
 *
 * KEYS: requests hash, tokens hash, today's savings aggregate hash.
 * ARGV: rpm (0 = none), tpm (0 = none), token cost, usd/day (0 = none), window ms.
 * Returns { verdict, retry_ms, rpm_remaining, tpm_remaining, spent_usd }.
 */
const ADMIT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local W = tonumber(ARGV[5])
local idx = math.floor(now / W)
local elapsed = now - idx * W
local rpm, tpm, cost, usd = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])

local function counts(key)
  local cur = tonumber(redis.call('HGET', key, tostring(idx)) or '0')
  local prev = tonumber(redis.call('HGET', key, tostring(idx - 1)) or '0')
  return cur, prev
end
local function used(cur, prev)
  return prev * (W - elapsed) / W + cur
end
-- ms until prev*(W-e)/W + cur + cost <= limit (cost <= limit is checked by the caller)
local function wait_ms(limit, c, cur, prev)
  local room = limit - cur - c
  if room >= 0 and prev > 0 then
    return math.max(1, math.ceil(W * (1 - room / prev) - elapsed))
  end
  local later = 0
  if cur > 0 then later = math.max(0, math.ceil(W * (1 - (limit - c) / cur))) end
  return (W - elapsed) + later
end

local spent = tonumber(redis.call('HGET', KEYS[3], 'all|actual_usd') or '0')
if usd > 0 and spent >= usd then
  return {'usd_per_day', 0, 0, 0, tostring(spent)}
end
local rcur, rprev = counts(KEYS[1])
local tcur, tprev = counts(KEYS[2])
if rpm > 0 and used(rcur, rprev) + 1 > rpm then
  return {'requests_per_minute', wait_ms(rpm, 1, rcur, rprev), 0, 0, tostring(spent)}
end
if tpm > 0 and cost > 0 and used(tcur, tprev) + cost > tpm then
  return {'tokens_per_minute', wait_ms(tpm, cost, tcur, tprev), 0, 0, tostring(spent)}
end
local ttl = W * 2 + 1000
for i, key in ipairs({KEYS[1], KEYS[2]}) do
  local by = 1
  if i == 2 then by = cost end
  if by > 0 then
    redis.call('HINCRBY', key, tostring(idx), by)
    redis.call('HDEL', key, tostring(idx - 2))
    redis.call('PEXPIRE', key, ttl)
  end
end
return {'ok', 0, math.floor(math.max(0, rpm - used(rcur, rprev) - 1)), math.floor(math.max(0, tpm - used(tcur, tprev) - cost)), tostring(spent)}
`;

export type LimitName = 'requests_per_minute' | 'tokens_per_minute' | 'usd_per_day';

export type Admission =
  | { ok: true; remaining: { requests?: number; tokens?: number }; spentUsd: number }
  | { ok: false; limit: LimitName; retryAfterSeconds: number; spentUsd: number }
  /** The request alone is larger than the tenant's tokens_per_minute: waiting never helps. */
  | { ok: false; limit: 'request_too_large'; tokens: number };

interface LimiterRedis {
  parsimonyAdmit(k1: string, k2: string, k3: string, rpm: number, tpm: number, cost: number, usd: number, windowMs: number): Promise<[string, number, number, number, string]>;
}

/** Per-tenant requests/min, tokens/min and USD/day, enforced in Redis so every producer process shares them. */
export class TenantRateLimiter {
  private readonly redis: LimiterRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    if (!('parsimonyAdmit' in redis)) redis.defineCommand('parsimonyAdmit', { numberOfKeys: 3, lua: ADMIT_SCRIPT });
    this.redis = redis as unknown as LimiterRedis;
  }

  /** Admits (and counts) one request of `tokens` estimated tokens, or says which limit refuses it and for how long. */
  async admit(tenant: string, limits: TenantLimits, tokens: number, now = new Date()): Promise<Admission> {
    const tpm = limits.tokens_per_minute ?? 0;
    if (tpm > 0 && tokens > tpm) return { ok: false, limit: 'request_too_large', tokens };
    // The day of the savings aggregates is the UTC day a job completed on.
    const today = now.toISOString().slice(0, 10);
    const [verdict, retryMs, requestsLeft, tokensLeft, spent] = await this.redis.parsimonyAdmit(
      `${this.prefix}:limits:${tenant}:requests`,
      `${this.prefix}:limits:${tenant}:tokens`,
      savingsKey(this.prefix, tenant, today),
      limits.requests_per_minute ?? 0,
      tpm,
      Math.max(0, Math.ceil(tokens)),
      limits.usd_per_day ?? 0,
      WINDOW_MS,
    );
    const spentUsd = Number(spent);
    if (verdict === 'ok') {
      return {
        ok: true,
        spentUsd,
        remaining: { requests: limits.requests_per_minute ? Number(requestsLeft) : undefined, tokens: tpm ? Number(tokensLeft) : undefined },
      };
    }
    if (verdict === 'usd_per_day') {
      const midnight = Date.parse(`${today}T00:00:00Z`) + 86_400_000;
      return { ok: false, limit: 'usd_per_day', retryAfterSeconds: Math.max(1, Math.ceil((midnight - now.getTime()) / 1000)), spentUsd };
    }
    return { ok: false, limit: verdict as LimitName, retryAfterSeconds: Math.max(1, Math.ceil(Number(retryMs) / 1000)), spentUsd };
  }
}
