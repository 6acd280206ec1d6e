import type { ProviderCooldowns } from '../../shared/providers/provider-cooldown';

/**
 * How long one read of a provider's cooldown answers for this worker's other
 * jobs. A cooldown recorded by another process is seen at most this late (a
 * job that calls the provider meanwhile gets the 429 and is delayed like any
 * other); one recorded by this worker is seen at once.
 */
export const COOLDOWN_READ_TTL_MS = 50;

/**
 * The router-worker's view of the shared per-provider cooldowns: every job
 * asks before its provider call, which was one Redis PTTL per job; now one
 * per provider per COOLDOWN_READ_TTL_MS, whatever the job rate. While a
 * cooldown runs, what is left of it is computed from the read, not re-read.
 */
export class CooldownReader {
  private readonly reads = new Map<string, { readAt: number; endsAt: number; pending?: Promise<number> }>();

  constructor(
    private readonly cooldowns: ProviderCooldowns,
    private readonly ttlMs = COOLDOWN_READ_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds left in `provider`'s cooldown; 0 when it may be called. */
  async remainingMs(provider: string): Promise<number> {
    const now = this.now();
    const read = this.reads.get(provider);
    if (read && now - read.readAt < this.ttlMs) return read.pending ?? Math.max(0, read.endsAt - now);
    // One read in flight per provider: the jobs that ask meanwhile wait for it instead of sending their own.
    const pending = this.cooldowns.remainingMs(provider).then(
      (left) => {
        this.reads.set(provider, { readAt: now, endsAt: this.now() + left });
        return left;
      },
      (err: unknown) => {
        this.reads.delete(provider);
        throw err;
      },
    );
    this.reads.set(provider, { readAt: now, endsAt: now, pending });
    return pending;
  }

  /** Records a 429 (ProviderCooldowns.record) and remembers the cooldown that stands, so this worker honours it at once. */
  async record(provider: string, retryAfterMs: number | undefined): Promise<number> {
    const left = await this.cooldowns.record(provider, retryAfterMs);
    const now = this.now();
    this.reads.set(provider, { readAt: now, endsAt: now + left });
    return left;
  }
}
