import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { trackChild } from './children';

/**
 * A dedicated redis-server child process for reliability runs and tests that
 * stop and restart Redis: never the shared one on 6379.
 */
export interface DedicatedRedisOptions {
  /** Port; default a free one. */
  port?: number;
  /** AOF with fsync every second, so a clean restart keeps everything. Default true. */
  appendonly?: boolean;
  /** Data directory; default a fresh temporary one (removed by `remove()`). */
  dir?: string;
}

export interface DedicatedRedis {
  port: number;
  url: string;
  dir: string;
  /** Starts (or restarts) the server and waits until it answers PING. */
  start(): Promise<void>;
  /** Stops it: SIGTERM (a clean shutdown, AOF flushed) or SIGKILL (a crash). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stops it and deletes its data directory. */
  remove(): Promise<void>;
  readonly running: boolean;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function dedicatedRedis(options: DedicatedRedisOptions = {}): Promise<DedicatedRedis> {
  const port = options.port ?? (await freePort());
  const ownDir = !options.dir;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'parsimony-redis-'));
  const appendonly = options.appendonly ?? true;
  let child: ChildProcess | undefined;

  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--loglevel', 'warning'];
  if (appendonly) args.push('--appendonly', 'yes', '--appendfsync', 'everysec');
  else args.push('--appendonly', 'no');

  const handle: DedicatedRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      if (handle.running) return;
      child = trackChild(spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'inherit'] }));
      const probe = new Redis(handle.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
      probe.on('error', () => undefined);
      try {
        for (let i = 0; ; i++) {
          try {
            await probe.connect();
            // Loading a large AOF answers LOADING until done.
            if ((await probe.ping()) === 'PONG') return;
          } catch {
            probe.disconnect();
          }
          if (i > 200) throw new Error(`redis-server on ${port} did not start`);
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        probe.disconnect();
      }
    },
    async stop(signal = 'SIGTERM') {
      const current = child;
      if (!current || !handle.running) return;
      const exited = new Promise((r) => current.once('exit', r));
      current.kill(signal);
      await exited;
    },
    async remove() {
      await handle.stop('SIGKILL');
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  await handle.start();
  return handle;
}
