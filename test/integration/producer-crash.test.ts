import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startSimulator, type Simulator } from '../../infra/simulator/server';
import { JobOutcomes } from '../../shared/core/jobs/job-outcomes';
import { JobStore } from '../../shared/core/jobs/job-store';
import { SyncJobWatch } from '../../shared/core/jobs/sync-job-watch';
import { createLogger } from '../../shared/platform/logging/logger';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis';
import { TEST_DATA_DIR } from '../helpers/parsimony';

/**
 * A producer killed with SIGKILL in the middle of a synchronous request: its
 * caller's connection breaks, and the job's record must not say "running"
 * forever — another producer's reaper fails it once the dead one's heartbeat
 * has expired. A live producer's long call is left alone. The producers are
 * the built entry point (npm run build), as in containers.
 */
const PRODUCER_ENTRY = join(__dirname, '../../dist/services/producer/main.js');
const HEARTBEAT_MS = 200;

let sim: Simulator;
let redis: Redis;
let prefix: string;
let watch: SyncJobWatch;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(PRODUCER_ENTRY)) throw new Error(`${PRODUCER_ENTRY} is missing: run "npm run build" first (npm test does)`);
  // Every call takes 3 s: long enough to kill a producer in the middle of one.
  sim = await startSimulator({ port: 0, latencyMs: 3_000, logger: createLogger({ service: 'simulator', level: 'silent' }) });
  prefix = uniquePrefix('producer-crash');
  redis = new Redis(REDIS_URL);
  // The surviving producer's reaper, as a producer runs it (no minimum age, so the test need not wait for one).
  const store = new JobStore(redis, { prefix, retentionSeconds: 3600 });
  watch = new SyncJobWatch(redis, prefix, new JobOutcomes(store, prefix), createLogger({ service: 'test', level: 'silent' }), { minAgeMs: 0 });
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await sim.close();
  await deletePrefix(prefix);
  redis.disconnect();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function startProducer(): Promise<{ child: ChildProcess; url: string }> {
  // The port is free when picked but another process on the machine may take it before the child binds it: a child
  // that exits before it is up (EADDRINUSE) is started again on another port.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const started = await spawnProducer(await freePort());
    if (started) return started;
  }
  throw new Error('producer did not start (3 attempts)');
}

async function spawnProducer(port: number): Promise<{ child: ChildProcess; url: string } | undefined> {
  const env = {
    REDIS_URL,
    PARSIMONY_QUEUE_PREFIX: prefix,
    PARSIMONY_API_KEYS: 'acme:k-crash',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: `${sim.url}/v1`,
    PARSIMONY_DATA_DIR: TEST_DATA_DIR,
    PARSIMONY_CACHE: 'off',
    PARSIMONY_PRODUCER_HEARTBEAT_MS: String(HEARTBEAT_MS),
  };
  const child = spawn(process.execPath, [PRODUCER_ENTRY], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) return undefined;
    // Up, and its heartbeat written (a producer that dies before its first heartbeat is simply dead at once).
    const running = children.filter((c) => c.exitCode === null && c.signalCode === null).length;
    const alive = (await redis.keys(`${prefix}:producer-alive:*`)).length >= running;
    if (
      alive &&
      (await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      ))
    )
      return { child, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('producer did not start');
}

function ask(url: string, text: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer k-crash', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: text }] }),
  });
}

/** The job id a producer registered as running in-process, once it shows up. */
async function runningJob(): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const ids = (await redis.zrange(watch.key, '0', '-1')).map((m) => m.slice(m.indexOf('|') + 1));
    if (ids.length) return ids[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no running sync job registered');
}

const statusOf = async (id: string) => JSON.parse((await redis.hget(`${prefix}:job:${id}`, 'record')) ?? 'null');

test('the sync job of a producer killed mid-call ends failed with a clear error, not "running" forever', async () => {
  const { child, url } = await startProducer();
  const pending = ask(url, 'Tell me about tides.').catch((err: Error) => err);
  const jobId = await runningJob();
  expect((await statusOf(jobId)).status).toBe('running');
  child.kill('SIGKILL');
  expect(String(await pending)).toMatch(/fetch failed/); // the caller's connection broke

  // While the dead producer's heartbeat is still fresh, its job is left alone.
  expect((await watch.reap()).failed).toEqual([]);
  await new Promise((r) => setTimeout(r, 4 * HEARTBEAT_MS + 300));
  expect((await watch.reap()).failed).toEqual([jobId]);
  const job = await statusOf(jobId);
  expect(job.status).toBe('failed');
  expect(job.error).toMatchObject({ type: 'service_unavailable' });
  expect(job.error.message).toMatch(/stopped before it finished/);
  expect(await redis.zcard(watch.key)).toBe(0);
  // A second pass has nothing left to do.
  expect((await watch.reap()).failed).toEqual([]);
}, 90_000);

test('a live producer’s long call is not reaped, and its finished job leaves the watch set', async () => {
  const { child, url } = await startProducer();
  const pending = ask(url, 'Tell me about the moon.');
  const jobId = await runningJob();
  await new Promise((r) => setTimeout(r, 4 * HEARTBEAT_MS + 300)); // older than a heartbeat's life, still alive
  expect((await watch.reap()).failed).toEqual([]);
  const res = await pending;
  expect(res.status).toBe(200);
  expect((await statusOf(jobId)).status).toBe('completed');
  expect((await watch.reap()).inspected).toBe(1);
  expect(await redis.zcard(watch.key)).toBe(0);
  child.kill('SIGTERM');
}, 90_000);
