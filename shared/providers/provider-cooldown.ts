import type { Redis } from 'ioredis';
import { ProviderError } from '../core/errors/provider-error';

/** Cooldown after a provider 429 that carried no `retry-after`, ms. */
export const COOLDOWN_FALLBACK_MS = 1_000;

/**
 * Longest cooldown one 429 can set, ms: a provider asking for more than this
 * (or a garbled header) still gets re-tried after 10 minutes.
 */
export const COOLDOWN_MAX_MS = 10 * 60_000;

/**
 * Thrown instead of calling a provider that is cooling down after a 429: a
 * retryable 429 whose `retryAfterMs` is what is left of the cooldown, so it
 * travels the same way as the provider's own 429 (the router-worker delays
 * the job; a fast-path caller would get a 429 with `retry-after`).
 */
export class ProviderCooldownError extends ProviderError {
  constructor(provider: string, remainingMs: number) {
    super(provider, 429, `${provider} is cooling down after a rate limit; not called (${remainingMs} ms left)`, remainingMs);
    this.name = 'ProviderCooldownError';
  }
}

// Sets the cooldown unless one that ends later is already there; returns the ms left of the one that stands.
// One script so two workers recording at once cannot shorten each other's cooldown.
const RECORD_SCRIPT = `
local left = redis.call('PTTL', KEYS[1])
local wanted = tonumber(ARGV[1])
if left < wanted then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', wanted)
  return wanted
end
return left`;

/**
 * Per-provider back-off shared by every worker: after a 429 from provider P,
 * `${prefix}:provider-cooldown:${P}` lives for the provider's `retry-after`,
 * and queued jobs for P wait it out instead of calling P (other providers'
 * jobs keep flowing). The key's TTL is the cooldown; nothing else is stored.
 */
export class ProviderCooldowns {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  key(provider: string): string {
    return `${this.prefix}:provider-cooldown:${provider}`;
  }

  /**
   * Records that `provider` asked us to wait `retryAfterMs` (fallback
   * COOLDOWN_FALLBACK_MS, capped at COOLDOWN_MAX_MS). A longer cooldown already
   * recorded is kept. Returns the ms left of the cooldown now in force.
   */
  async record(provider: string, retryAfterMs: number | undefined): Promise<number> {
    const asked = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? Math.ceil(retryAfterMs) : COOLDOWN_FALLBACK_MS;
    const wanted = Math.min(asked, COOLDOWN_MAX_MS);
    const left = await this.redis.eval(RECORD_SCRIPT, 1, this.key(provider), wanted, String(Date.now() + wanted));
    return Number(left);
  }

  /** Milliseconds left in `provider`'s cooldown; 0 when it may be called. */
  async remainingMs(provider: string): Promise<number> {
    const left = await this.redis.pttl(this.key(provider));
    // -2: no cooldown; -1 cannot happen (always set with PX) but would mean "no expiry": treat as none rather than forever.
    return left > 0 ? left : 0;
  }
}
