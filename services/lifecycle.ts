import type { Logger } from 'pino';
import { ConfigError } from '../shared/platform/config/env';
import type { Platform } from '../shared/runtime/platform';

/** What a service's start returns to the lifecycle. */
export interface RunningService {
  log: Logger;
  /** The process's platforms (one per service in it): their Redis connections and PARSIMONY_SHUTDOWN_GRACE_MS. */
  platforms: Platform[];
  /** Stops taking work, lets in-flight work finish, closes connections. */
  stop: () => Promise<void>;
}

/**
 * How long a stop may take when Redis is unreachable at the signal. BullMQ's
 * close waits for its connections to reconnect (an ioredis client that is
 * reconnecting cannot be disconnected: it never emits 'end'), and in-flight
 * jobs cannot record their results anyway: BullMQ re-delivers them (stalled)
 * once Redis is back. So the stop gets a short bounded try, then the process exits.
 */
const UNREACHABLE_STOP_MS = 3_000;

/**
 * Process lifecycle shared by every service entry point: a bad config prints
 * one line and exits 1; SIGTERM/SIGINT stop taking work, let in-flight jobs
 * finish and close connections, within PARSIMONY_SHUTDOWN_GRACE_MS (exit 0);
 * a stop that does not finish in time exits 1. With Redis unreachable at the
 * signal the stop gets UNREACHABLE_STOP_MS. A signal during start-up (e.g.
 * still waiting for Redis) exits at once.
 */
export async function runService(name: string, start: () => Promise<RunningService>): Promise<void> {
  let running: RunningService | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!running) {
      process.stderr.write(`${name}: ${signal} during start-up; exiting\n`);
      process.exit(1);
    }
    const { log, platforms } = running;
    const graceMs = Math.min(...platforms.map((p) => p.env.PARSIMONY_SHUTDOWN_GRACE_MS));
    const redis = platforms.map((p) => p.redis.status);
    const reachable = redis.every((status) => status === 'ready');
    const budgetMs = reachable ? graceMs : Math.min(graceMs, UNREACHABLE_STOP_MS);
    log.info({ signal, budgetMs, redis }, reachable ? 'shutting down: no new work, finishing in-flight jobs' : 'shutting down with Redis unreachable: a short try, then exit');
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), budgetMs)));
    try {
      const outcome = await Promise.race([running.stop().then(() => 'stopped' as const), outOfTime]);
      if (outcome === 'timeout') {
        log.error({ budgetMs }, 'stop did not finish in time; exiting (in-flight jobs are re-delivered by BullMQ)');
        process.exit(1);
      }
      log.info('stopped');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'error during shutdown');
      process.exit(1);
    } finally {
      clearTimeout(timer);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  try {
    running = await start();
    running.log.info('started: SIGTERM or SIGINT stops it');
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
