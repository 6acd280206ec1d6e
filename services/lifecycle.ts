import type { Logger } from 'pino';
import { ConfigError } from '../shared/platform/config/env';

/**
 * Process lifecycle shared by every service entry point: a bad config prints
 * one line and exits 1; SIGTERM/SIGINT stop taking work, let in-flight jobs
 * finish (bounded), close connections and exit 0.
 */
export async function runService(name: string, start: () => Promise<{ log: Logger; stop: () => Promise<void> }>): Promise<void> {
  let running: { log: Logger; stop: () => Promise<void> };
  try {
    running = await start();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.log.info({ signal }, 'shutting down: no new work, finishing in-flight jobs');
    const force = setTimeout(() => {
      running.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    try {
      await running.stop();
      running.log.info('stopped');
      process.exit(0);
    } catch (err) {
      running.log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
