import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dedicatedRedis, freePort, type DedicatedRedis } from '../../scripts/reliability/redis-server';
import { startService, type ServiceName, type ServiceProcess } from '../../scripts/reliability/service-process';
import { TEST_DATA_DIR } from '../helpers/data-dir';

/**
 * A service whose Redis is gone still stops on SIGTERM within its grace
 * period (services/lifecycle.ts): each built service (dist/, `npm test`
 * builds it) runs against a private redis-server on a free port, that Redis
 * is killed, and the SIGTERM must end the process through its own handler
 * (an exit code, not the signal's default) well before the grace period is
 * over. Before the bounded stop, BullMQ's close waited for Redis forever.
 */
const GRACE_MS = 10_000;
const SERVICES: ServiceName[] = ['producer', 'router-worker', 'cache-service', 'batch-submitter', 'all-in-one'];

let work: string;
const redises: DedicatedRedis[] = [];
const processes: ServiceProcess[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'parsimony-shutdown-'));
});

afterAll(async () => {
  for (const p of processes) if (p.alive) p.child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
  await Promise.all(redises.map((r) => r.remove()));
  rmSync(work, { recursive: true, force: true });
});

function serviceEnv(redis: DedicatedRedis, port: number): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    PARSIMONY_QUEUE_PREFIX: 'shutdown',
    PARSIMONY_API_KEYS: 'acme:k-shutdown-acme',
    PORT: String(port),
    LOG_LEVEL: 'info',
    PARSIMONY_DATA_DIR: TEST_DATA_DIR,
    PARSIMONY_SHUTDOWN_GRACE_MS: String(GRACE_MS),
    // No provider is called: nothing is submitted.
    OPENAI_API_KEY: 'sk-shutdown',
    OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    ANTHROPIC_API_KEY: 'sk-ant-shutdown',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
  };
}

/** Waits until `file` holds `text`: true, or false once `proc` (when given) has exited without it. */
async function waitForLog(file: string, text: string, timeoutMs: number, proc?: ServiceProcess): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let content = '';
    try {
      content = readFileSync(file, 'utf8');
    } catch {
      // not written yet
    }
    if (content.includes(text)) return true;
    if (proc && !proc.alive) return false;
    if (Date.now() > until) throw new Error(`${file} has no "${text}" after ${timeoutMs} ms:\n${content.slice(-2_000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test.each(SERVICES)(
  '%s exits by itself within its grace period on SIGTERM after its Redis died',
  async (service) => {
    const redis = await dedicatedRedis({ appendonly: false });
    redises.push(redis);
    // A port free when picked may be taken by another process before the child binds it: start again on another.
    let proc: ServiceProcess | undefined;
    let logFile = '';
    for (let attempt = 1; !proc && attempt <= 3; attempt++) {
      logFile = join(work, `${service}-${attempt}.log`);
      const started = startService(service, service, serviceEnv(redis, await freePort()), logFile);
      processes.push(started);
      if (await waitForLog(logFile, '"msg":"started', 90_000, started)) proc = started;
    }
    if (!proc) throw new Error(`${service} did not start in 3 attempts: ${readFileSync(logFile, 'utf8').slice(-2_000)}`);

    await redis.stop('SIGKILL');
    // Let the service notice: its connections are now reconnecting.
    await waitForLog(logFile, 'ECONNREFUSED', 10_000);
    const signalled = Date.now();
    proc.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([proc.exited, new Promise<'still running'>((r) => (timer = setTimeout(() => r('still running'), GRACE_MS + 5_000)))]);
    clearTimeout(timer);
    const tookMs = Date.now() - signalled;

    expect(exit).not.toBe('still running');
    // Ended by its own handler (process.exit), not by the default action of the signal.
    expect(exit).toEqual({ code: expect.any(Number), signal: null });
    expect(tookMs).toBeLessThan(GRACE_MS);
    expect(readFileSync(logFile, 'utf8')).toContain('shutting down with Redis unreachable');
  },
  120_000,
);
