import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

interface LeaseRedis {
  parsimonyBatchLeaseRenew(key: string, token: string, ms: number): Promise<number>;
  parsimonyBatchLeaseRelease(key: string, token: string): Promise<number>;
}

/**
 * A time-limited claim on a piece of work (an intent being submitted or
 * collected, a group being flushed), renewed while the work goes on. A
 * process that dies stops renewing, so its work is taken over once the lease
 * lapses; a live one never loses it to another replica.
 */
export class Lease {
  private timer?: NodeJS.Timeout;
  private lost = false;

  private constructor(
    private readonly redis: Redis,
    readonly key: string,
    private readonly token: string,
    private readonly ms: number,
  ) {}

  /** The lease, or undefined when someone else holds it. Renewed every third of `ms` until released. */
  static async acquire(redis: Redis, key: string, ms: number): Promise<Lease | undefined> {
    defineCommands(redis);
    const token = randomBytes(9).toString('base64url');
    const ok = await redis.set(key, token, 'PX', Math.ceil(ms), 'NX');
    if (ok !== 'OK') return undefined;
    const lease = new Lease(redis, key, token, ms);
    lease.timer = setInterval(() => void lease.renew(), Math.max(50, ms / 3));
    lease.timer.unref();
    return lease;
  }

  /** False once a renewal found the lease gone (it lapsed: someone else may have taken over). */
  get held(): boolean {
    return !this.lost;
  }

  private async renew(): Promise<void> {
    try {
      const ok = await (this.redis as unknown as LeaseRedis).parsimonyBatchLeaseRenew(this.key, this.token, Math.ceil(this.ms));
      if (!ok) {
        this.lost = true;
        clearInterval(this.timer);
      }
    } catch {
      // Redis blip: the next renewal tries again; the lease is long enough to ride it out.
    }
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await (this.redis as unknown as LeaseRedis).parsimonyBatchLeaseRelease(this.key, this.token).catch(() => undefined);
  }

  /** Stops renewing without releasing (what a crash looks like to the others; for tests of crash recovery). */
  abandon(): void {
    clearInterval(this.timer);
  }
}

function defineCommands(redis: Redis): void {
  if ('parsimonyBatchLeaseRenew' in redis) return;
  redis.defineCommand('parsimonyBatchLeaseRenew', { numberOfKeys: 1, lua: RENEW });
  redis.defineCommand('parsimonyBatchLeaseRelease', { numberOfKeys: 1, lua: RELEASE });
}
