import type { ProviderCooldowns } from './provider-cooldown';

/** How long one read of a provider's shared cooldown is trusted in-process, ms. */
export const COOLDOWN_VIEW_REFRESH_MS = 100;

interface Seen {
  /** When the cooldown read at `readAt` ends (epoch ms; ≤ readAt when there was none). */
  until: number;
  readAt: number;
}

/**
 * The fast path's view of the per-provider cooldowns (ProviderCooldowns, in
 * Redis): the same shared keys the queued path honours, but read at most once
 * per `refreshMs` per provider instead of once per request, so honouring them
 * costs the hot path no Redis round trip. A cooldown another process starts is
 * seen within `refreshMs`; one this process records is seen at once.
 */
export class CooldownView {
  private readonly seen = new Map<string, Seen>();
  private readonly reading = new Map<string, Promise<number>>();

  constructor(
    private readonly cooldowns: ProviderCooldowns,
    private readonly refreshMs = COOLDOWN_VIEW_REFRESH_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds left in `provider`'s cooldown; 0 when it may be called. */
  async remainingMs(provider: string): Promise<number> {
    const now = this.now();
    const seen = this.seen.get(provider);
    if (seen && now - seen.readAt < this.refreshMs) return Math.max(0, seen.until - now);
    // One read in flight per provider: a burst of requests shares it.
    let reading = this.reading.get(provider);
    if (!reading) {
      reading = this.cooldowns
        .remainingMs(provider)
        .then((left) => {
          const at = this.now();
          this.seen.set(provider, { until: at + left, readAt: at });
          return left;
        })
        .finally(() => this.reading.delete(provider));
      this.reading.set(provider, reading);
    }
    return reading;
  }

  /** Starts (or keeps the longer) shared cooldown after a 429; returns the ms left of the one that stands. */
  async record(provider: string, retryAfterMs: number | undefined): Promise<number> {
    const left = await this.cooldowns.record(provider, retryAfterMs);
    const at = this.now();
    this.seen.set(provider, { until: at + left, readAt: at });
    return left;
  }
}
