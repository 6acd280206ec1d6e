import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Production feedback on the routing thresholds, per tenant and task. Every
 * compared shadow (shadow-comparer.ts) counts into its (tenant, task)
 * window; once a window holds `minShadows` comparisons it is judged:
 * - agreement below `minAgreement` → the task's `raise` goes up by RAISE_STEP
 *   (router.ts: a larger frontier share, a smaller small share, and from 0.34
 *   no small tier, from 0.67 no mid tier either);
 * - agreement at or above it → `raise` comes down by RELAX_STEP (slowly: a
 *   disagreement costs quality, an unneeded raise only money);
 * then the window starts afresh, so each judgement is made on answers given
 * at the current thresholds. A raise also relaxes by RELAX_PER_DAY without
 * evidence: at a raise that stops shadows (nothing routed below the frontier)
 * it would otherwise never come down. Every change is kept with its evidence
 * (the `changes` list) and logged.
 *
 * Keys: `routing:feedback:<tenant>` hash, fields `<task>|raise`, `<task>|changed_at`, `<task>|n`,
 * `<task>|agreed`; `routing:feedback-log:<tenant>` list of changes (newest first, capped).
 */
export const DEFAULT_MIN_AGREEMENT = 0.95;
export const DEFAULT_FEEDBACK_MIN_SHADOWS = 20;
export const RAISE_STEP = 0.34;
export const RELAX_STEP = 0.1;
export const RELAX_PER_DAY = 0.1;
const LOG_LENGTH = 100;

/**
 * KEYS: feedback hash, log list. ARGV: task, agreed (0/1), min shadows, min agreement, raise step,
 * relax step, now ms, relax per day. Returns nil, or the change as JSON.
 */
const OBSERVE = `
local task = ARGV[1]
local n = redis.call('HINCRBY', KEYS[1], task .. '|n', 1)
local agreed = redis.call('HINCRBY', KEYS[1], task .. '|agreed', tonumber(ARGV[2]))
if n < tonumber(ARGV[3]) then return nil end
local now = tonumber(ARGV[7])
local stored = tonumber(redis.call('HGET', KEYS[1], task .. '|raise') or '0')
local changed = tonumber(redis.call('HGET', KEYS[1], task .. '|changed_at') or tostring(now))
local function r4(x) return math.floor(x * 10000 + 0.5) / 10000 end
local from = r4(math.max(0, stored - tonumber(ARGV[8]) * (now - changed) / 86400000))
local agreement = agreed / n
local to
if agreement < tonumber(ARGV[4]) then to = r4(math.min(1, from + tonumber(ARGV[5]))) else to = r4(math.max(0, from - tonumber(ARGV[6]))) end
redis.call('HSET', KEYS[1], task .. '|n', 0, task .. '|agreed', 0, task .. '|raise', tostring(to), task .. '|changed_at', now)
if math.abs(to - from) < 1e-9 then return nil end
local change = cjson.encode({ task = task, from = from, to = to, at = now, shadows = n, agreed = agreed, agreement = agreement, min_agreement = tonumber(ARGV[4]) })
redis.call('LPUSH', KEYS[2], change)
redis.call('LTRIM', KEYS[2], 0, ${LOG_LENGTH - 1})
return change
`;

export interface ThresholdChange {
  task: string;
  from: number;
  to: number;
  /** When, ms since the epoch. */
  at: number;
  /** The evidence: comparisons in the judged window, how many agreed, and the target. */
  shadows: number;
  agreed: number;
  agreement: number;
  min_agreement: number;
}

export interface ThresholdFeedbackOptions {
  minAgreement?: number;
  minShadows?: number;
  /** How long a tenant's raises are cached by the router, ms. Default 5000. */
  cacheMs?: number;
}

export interface TaskThreshold {
  raise: number;
  /** Comparisons counted in the current, not yet judged window. */
  window_shadows: number;
  window_agreed: number;
}

export class ThresholdFeedback {
  readonly minAgreement: number;
  readonly minShadows: number;
  private readonly cacheMs: number;
  private readonly cache = new Map<string, { at: number; raises: Record<string, number> }>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: ThresholdFeedbackOptions = {},
  ) {
    this.minAgreement = options.minAgreement ?? DEFAULT_MIN_AGREEMENT;
    this.minShadows = options.minShadows ?? DEFAULT_FEEDBACK_MIN_SHADOWS;
    this.cacheMs = options.cacheMs ?? 5_000;
    if (!('parsimonyObserveShadow' in redis)) redis.defineCommand('parsimonyObserveShadow', { numberOfKeys: 2, lua: OBSERVE });
  }

  private hashKey(tenant: string): string {
    return `${this.prefix}:routing:feedback:${tenant}`;
  }

  private logKey(tenant: string): string {
    return `${this.prefix}:routing:feedback-log:${tenant}`;
  }

  /** Counts one compared shadow; returns the threshold change it caused, if any (and logs it). */
  async observe(tenant: string, task: string, agreed: boolean, log?: Logger, now = Date.now()): Promise<ThresholdChange | undefined> {
    const raw = await (this.redis as unknown as ObserveRedis).parsimonyObserveShadow(
      this.hashKey(tenant),
      this.logKey(tenant),
      task,
      agreed ? 1 : 0,
      this.minShadows,
      this.minAgreement,
      RAISE_STEP,
      RELAX_STEP,
      now,
      RELAX_PER_DAY,
    );
    if (!raw) return undefined;
    const change = JSON.parse(raw) as ThresholdChange;
    this.cache.delete(tenant);
    log?.info({ tenant, ...change, direction: change.to > change.from ? 'raised' : 'relaxed' }, `routing thresholds ${change.to > change.from ? 'raised' : 'relaxed'} for task ${task}`);
    return change;
  }

  /** The tenant's current raise per task (time relaxation applied), cached for `cacheMs`. */
  async raisesFor(tenant: string, now = Date.now()): Promise<Record<string, number>> {
    const hit = this.cache.get(tenant);
    if (hit && now - hit.at < this.cacheMs) return hit.raises;
    const raises: Record<string, number> = {};
    for (const [task, t] of Object.entries(await this.state(tenant, now))) if (t.raise > 0) raises[task] = t.raise;
    this.cache.set(tenant, { at: now, raises });
    if (this.cache.size > 10_000) this.cache.clear();
    return raises;
  }

  /** Per task: the raise and the current window (for GET /v1/routing/quality). */
  async state(tenant: string, now = Date.now()): Promise<Record<string, TaskThreshold>> {
    const hash = await this.redis.hgetall(this.hashKey(tenant));
    const out: Record<string, TaskThreshold> = {};
    for (const [field, value] of Object.entries(hash)) {
      const cut = field.lastIndexOf('|');
      const task = field.slice(0, cut);
      const entry = (out[task] ??= { raise: 0, window_shadows: 0, window_agreed: 0 });
      if (field.endsWith('|n')) entry.window_shadows = Number(value);
      else if (field.endsWith('|agreed')) entry.window_agreed = Number(value);
    }
    for (const task of Object.keys(out)) {
      const stored = Number(hash[`${task}|raise`] ?? 0);
      const changed = Number(hash[`${task}|changed_at`] ?? now);
      out[task].raise = Math.round(Math.max(0, stored - (RELAX_PER_DAY * (now - changed)) / 86_400_000) * 1e4) / 1e4;
    }
    return out;
  }

  /** The tenant's latest threshold changes with their evidence, newest first. */
  async changes(tenant: string, limit = 20): Promise<ThresholdChange[]> {
    return (await this.redis.lrange(this.logKey(tenant), 0, limit - 1)).map((c) => JSON.parse(c) as ThresholdChange);
  }
}

interface ObserveRedis {
  parsimonyObserveShadow(...args: (string | number)[]): Promise<string | null>;
}
