import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Redis connections the way BullMQ's production guide asks for them:
 * - `http`: fail fast (no offline queue, one retry per command) so an HTTP
 *   request gets a 503 at once when Redis is down instead of hanging;
 * - `worker`: wait forever (`maxRetriesPerRequest: null`) so workers ride
 *   out a Redis restart and resume.
 * Every connection gets an 'error' listener: an unhandled one crashes Node.
 */
export type ConnectionRole = 'http' | 'worker';

export interface CreateRedisOptions {
  /**
   * ioredis auto-pipelining: every command issued in one event-loop turn
   * leaves in one write (one round trip) — the record create, the cache's
   * exact tier and the stage reads of one request, and those of concurrent
   * requests. Only for our own modules' connection (Platform.hotPathRedis):
   * never for BullMQ's (its maintainers do not support it) or blocking reads.
   * Default false.
   */
  autoPipelining?: boolean;
}

export function createRedis(url: string, role: ConnectionRole, log: Logger, name: string, extra: CreateRedisOptions = {}): Redis {
  const options: RedisOptions =
    role === 'http'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, connectionName: name }
      : { maxRetriesPerRequest: null, enableReadyCheck: false, connectionName: name };
  const redis = new Redis(url, { ...options, enableAutoPipelining: extra.autoPipelining ?? false, lazyConnect: false, retryStrategy: (times) => Math.min(times * 200, 2_000) });
  let lastLogged = 0;
  redis.on('error', (err: Error) => {
    // A Redis outage raises an error per reconnect attempt; log at most one per 5 s.
    const now = Date.now();
    if (now - lastLogged > 5_000) {
      lastLogged = now;
      log.warn({ err: { message: err.message }, connection: name }, 'redis connection error');
    }
  });
  return redis;
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export async function waitForRedis(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not reachable after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

/** Quits gracefully; falls back to disconnect when Redis is unreachable. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await Promise.race([redis.quit(), new Promise((_, reject) => setTimeout(() => reject(new Error('quit timeout')), 1_000))]);
  } catch {
    redis.disconnect();
  }
}
