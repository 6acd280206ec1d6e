import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChatResponse } from '../../core/chat-model';
import { ChatResponseSchema } from './cache-entry';
import type { CacheKeys } from './cache-keys';

export interface SingleFlightOptions {
  /** How long a leader holds the lock before others may call the provider themselves; default 60,000 ms. */
  lockTtlMs?: number;
  /** Longest a waiter waits for the leader's answer; default 30,000 ms. */
  waitTimeoutMs?: number;
  /** Poll interval while waiting; default 20 ms. */
  pollMs?: number;
  /** How long a published answer stays readable for late waiters; default 30,000 ms. */
  resultTtlMs?: number;
}

export type FlightTicket = { leader: true; token: string } | { leader: false };

/**
 * Takes the lock (KEYS[k] := token for ttl ms) unless another holds it; a holder whose value starts with the owner prefix
 * (the same job, re-delivered) is replaced. Returns 1 when this caller now holds the lock, else 0. A Lua fragment over
 * the given KEYS/ARGV slots, so the exact tier's lookup can take the lock in its own round trip (EntryRepository).
 */
export function lockLua(key: string, token: string, ttlMs: string, ownerPrefix: string): string {
  return `if redis.call('SET', ${key}, ${token}, 'PX', ${ttlMs}, 'NX') then return 1 end
if ${ownerPrefix} ~= '' then
  local held = redis.call('GET', ${key})
  if held and string.sub(held, 1, string.len(${ownerPrefix})) == ${ownerPrefix} then redis.call('SET', ${key}, ${token}, 'PX', ${ttlMs}) return 1 end
end
return 0`;
}

/** KEYS[1] lock; ARGV[1] token, ARGV[2] ttl ms, ARGV[3] owner prefix ('' = none). */
const ACQUIRE = lockLua('KEYS[1]', 'ARGV[1]', 'ARGV[2]', 'ARGV[3]');

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Publishes the leader's answer (KEYS[2], ARGV[2] for ARGV[3] ms) and releases its lock (KEYS[1] if it holds ARGV[1]): one round trip. */
const PUBLISH = `redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

interface FlightRedis {
  parsimonyFlightRelease(lockKey: string, token: string): Promise<number>;
  parsimonyFlightPublish(lockKey: string, resultKey: string, token: string, response: string, ttlMs: number): Promise<number>;
  parsimonyFlightAcquire(lockKey: string, token: string, ttlMs: number, ownerPrefix: string): Promise<number>;
}

/**
 * A lock attempt prepared for someone else's round trip: the exact tier takes
 * the lock in the same script that reads the exact key (when that key holds
 * no answer), and `ticket` turns its outcome into a FlightTicket.
 */
export interface FlightClaim {
  lockKey: string;
  token: string;
  ttlMs: number;
  /** '' when the lock is not owned by a job (not re-entrant). */
  ownerPrefix: string;
}

/**
 * Redis single-flight for identical requests (same exact hash) in flight at
 * once, across processes: the first to `acquire` is the leader and calls the
 * provider; the others `wait` and are answered with the leader's response as
 * soon as it `publish`es it. If the leader fails (or its answer may not be
 * cached) the lock is released — or expires — and waiters go ahead alone.
 */
export class SingleFlight {
  private readonly o: Required<SingleFlightOptions>;
  private readonly scripts: FlightRedis;

  constructor(
    private readonly redis: Redis,
    private readonly keys: CacheKeys,
    options: SingleFlightOptions = {},
  ) {
    this.o = { lockTtlMs: 60_000, waitTimeoutMs: 30_000, pollMs: 20, resultTtlMs: 30_000, ...options };
    if (!('parsimonyFlightRelease' in redis)) {
      redis.defineCommand('parsimonyFlightRelease', { numberOfKeys: 1, lua: RELEASE });
      redis.defineCommand('parsimonyFlightPublish', { numberOfKeys: 2, lua: PUBLISH });
      redis.defineCommand('parsimonyFlightAcquire', { numberOfKeys: 1, lua: ACQUIRE });
    }
    this.scripts = redis as unknown as FlightRedis;
  }

  /**
   * `owner` (the job id) makes the lock re-entrant for the same job: a job
   * re-delivered after its worker died takes its own lock back at once
   * instead of waiting for its dead former self until the lock expires.
   * One round trip (a script).
   */
  async acquire(tenant: string, hash: string, owner?: string): Promise<FlightTicket> {
    const claim = this.claim(tenant, hash, owner);
    const won = await this.scripts.parsimonyFlightAcquire(claim.lockKey, claim.token, claim.ttlMs, claim.ownerPrefix);
    return this.ticket(claim, won === 1);
  }

  /** A fresh lock token (prefixed by the owner, which makes the lock re-entrant for it). */
  newToken(owner?: string): string {
    return owner ? `${owner}|${randomUUID()}` : randomUUID();
  }

  /** A lock attempt for `acquire`'s script or another's round trip (see FlightClaim); no I/O. */
  claim(tenant: string, hash: string, owner?: string, token = this.newToken(owner)): FlightClaim {
    return {
      lockKey: this.keys.flightLock(tenant, hash),
      token,
      ttlMs: this.o.lockTtlMs,
      ownerPrefix: owner ? `${owner}|` : '',
    };
  }

  /** The ticket a claim earned: leader when its lock attempt succeeded. */
  ticket(claim: FlightClaim, won: boolean): FlightTicket {
    return won ? { leader: true, token: claim.token } : { leader: false };
  }

  /** The leader's response, or null when the leader gave up / timed out / the caller aborted. */
  async wait(tenant: string, hash: string, signal?: AbortSignal): Promise<ChatResponse | null> {
    const deadline = Date.now() + this.o.waitTimeoutMs;
    const resultKey = this.keys.flightResult(tenant, hash);
    const lockKey = this.keys.flightLock(tenant, hash);
    while (Date.now() < deadline && !signal?.aborted) {
      const [[, raw], [, lock]] = (await this.redis.multi().get(resultKey).exists(lockKey).exec()) as [[null, string | null], [null, number]];
      if (raw) {
        const parsed = ChatResponseSchema.safeParse(JSON.parse(raw));
        return parsed.success ? parsed.data : null;
      }
      if (lock === 0) return null;
      await new Promise((r) => setTimeout(r, this.o.pollMs));
    }
    return null;
  }

  /** Leader: hands the answer to the waiters (for at most `maxAgeMs`, the entry's own TTL) and releases the lock. */
  async publish(tenant: string, hash: string, token: string, response: ChatResponse, maxAgeMs = Infinity): Promise<void> {
    const ttl = Math.max(1, Math.min(this.o.resultTtlMs, maxAgeMs));
    await this.scripts.parsimonyFlightPublish(this.keys.flightLock(tenant, hash), this.keys.flightResult(tenant, hash), token, JSON.stringify(response), ttl);
  }

  /** Leader: gives up without an answer (failure, uncacheable response); waiters go ahead. */
  async release(tenant: string, hash: string, token: string): Promise<void> {
    await this.scripts.parsimonyFlightRelease(this.keys.flightLock(tenant, hash), token);
  }
}
