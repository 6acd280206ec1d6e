import type Redis from 'ioredis';

/**
 * Expected remaining calls of an agent chain, learned from the tenant's
 * history. Every call records (session → longest call index seen) in one Redis
 * hash per tenant and agent; the estimate for a chain at call `c` is the mean
 * of (L − c) over the sessions that reached beyond c, shrunk towards the
 * default with `priorWeight` pseudo-sessions, so a tenant with little history
 * gets the default. Sessions still running count with the length they have so
 * far (a slight under-estimate, which makes compaction more cautious).
 *
 * Reads are served from a per-process copy refreshed at most every
 * `refreshMs`, so the hot path never waits on Redis for it.
 */
export interface ChainStatsOptions {
  keyPrefix: string;
  /** Pseudo-sessions of the default; default 3. */
  priorWeight?: number;
  refreshMs?: number;
  /** Sessions kept per tenant and agent (oldest dropped past it); default 2,000. */
  maxSessions?: number;
  ttlSeconds?: number;
}

export interface RemainingCallsEstimator {
  /** `fallback`: the policy's default, used in proportion to how little history there is. */
  expectedRemaining(tenant: string, agent: string, callIndex: number, fallback: number): number;
  record(tenant: string, agent: string, session: string, callIndex: number): void;
}

/** Without Redis: the default, always. */
export class FixedRemainingCalls implements RemainingCallsEstimator {
  expectedRemaining(_tenant: string, _agent: string, _callIndex: number, fallback: number): number {
    return fallback;
  }
  record(): void {}
}

export class ChainStats implements RemainingCallsEstimator {
  private readonly lengths = new Map<string, { at: number; sessions: Map<string, number>; loading: boolean }>();
  private readonly written = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly options: ChainStatsOptions,
  ) {}

  private key(tenant: string, agent: string): string {
    return `${this.options.keyPrefix}ctx:chains:${tenant}:${agent}`;
  }

  expectedRemaining(tenant: string, agent: string, callIndex: number, fallback: number): number {
    const key = this.key(tenant, agent);
    const entry = this.lengths.get(key);
    if (!entry || (!entry.loading && Date.now() - entry.at > (this.options.refreshMs ?? 30_000))) this.refresh(key);
    return estimateRemaining(entry ? [...entry.sessions.values()] : [], callIndex, fallback, this.options.priorWeight ?? 3);
  }

  /** Fire-and-forget: a lost write only makes the estimate a little staler. */
  record(tenant: string, agent: string, session: string, callIndex: number): void {
    const key = this.key(tenant, agent);
    const field = `${key}\u0000${session}`;
    if ((this.written.get(field) ?? 0) >= callIndex) return;
    this.written.set(field, callIndex);
    if (this.written.size > 10_000) this.written.delete(this.written.keys().next().value as string);
    const local = this.lengths.get(key);
    if (local && (local.sessions.get(session) ?? 0) < callIndex) local.sessions.set(session, callIndex);
    // Two plain commands, not MULTI: on the request path's auto-pipelined connection they join the turn's other
    // commands instead of a write of their own, and every record renews the TTL, so a lost EXPIRE heals itself.
    this.redis.hset(key, session, String(callIndex)).catch(() => undefined);
    this.redis.expire(key, this.options.ttlSeconds ?? 7 * 86_400).catch(() => undefined);
  }

  /** Loads the key's lengths now (tests and the eval use it to see their own writes). */
  async load(tenant: string, agent: string): Promise<void> {
    await this.fetch(this.key(tenant, agent));
  }

  private refresh(key: string): void {
    const entry = this.lengths.get(key) ?? { at: 0, sessions: new Map<string, number>(), loading: false };
    entry.loading = true;
    this.lengths.set(key, entry);
    void this.fetch(key).catch(() => {
      entry.loading = false;
      entry.at = Date.now();
    });
  }

  private async fetch(key: string): Promise<void> {
    const all = await this.redis.hgetall(key);
    const sessions = new Map<string, number>();
    for (const [session, raw] of Object.entries(all)) if (Number(raw) > 0) sessions.set(session, Number(raw));
    const max = this.options.maxSessions ?? 2_000;
    if (sessions.size > max) await this.redis.del(key); // start over rather than let one hash grow without bound
    // Writes made while the read was in flight are kept.
    const previous = this.lengths.get(key)?.sessions;
    if (previous) for (const [session, n] of previous) if ((sessions.get(session) ?? 0) < n) sessions.set(session, n);
    this.lengths.set(key, { at: Date.now(), sessions, loading: false });
  }
}

/** E[L − c | L ≥ c] over the recorded session lengths L (a chain that stopped at c counts 0), shrunk towards `fallback`. */
export function estimateRemaining(lengths: readonly number[], callIndex: number, fallback: number, priorWeight: number): number {
  let sum = 0;
  let n = 0;
  for (const l of lengths) {
    if (l < callIndex) continue;
    sum += l - callIndex;
    n++;
  }
  return (sum + priorWeight * fallback) / (n + priorWeight);
}
