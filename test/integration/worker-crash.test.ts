import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startSimulator, type Simulator } from '../../infra/simulator/server';
import { CommonEnvSchema, ProducerEnvSchema, parseEnv } from '../../shared/platform/config/env';
import { createLogger } from '../../shared/platform/logging/logger';
import { Platform } from '../../shared/runtime/platform';
import { startProducer, type RunningProducer } from '../../services/producer/start-producer';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis';
import { TEST_DATA_DIR } from '../helpers/parsimony';

/**
 * A router-worker killed with SIGKILL in the middle of a job: BullMQ notices
 * the stalled job, another worker picks it up, and the job completes once.
 * The workers are the built entry point (npm run build), as in containers.
 */
const WORKER_ENTRY = join(__dirname, '../../dist/services/router-worker/main.js');

let sim: Simulator;
let platform: Platform;
let producer: RunningProducer;
let env: Record<string, string>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(WORKER_ENTRY)) throw new Error(`${WORKER_ENTRY} is missing: run "npm run build" first (npm test does)`);
  sim = await startSimulator({ port: 0, logger: createLogger({ service: 'simulator', level: 'silent' }) });
  const prefix = uniquePrefix('crash');
  env = {
    REDIS_URL,
    PARSIMONY_QUEUE_PREFIX: prefix,
    PARSIMONY_API_KEYS: 'acme:k-crash',
    PORT: '0',
    LOG_LEVEL: 'warn',
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: `${sim.url}/v1`,
    PARSIMONY_STALLED_INTERVAL_MS: '500',
    PARSIMONY_JOB_LOCK_MS: '1500',
    PARSIMONY_DATA_DIR: TEST_DATA_DIR,
  };
  platform = Platform.create({ env: parseEnv(CommonEnvSchema, env), service: 'producer', role: 'http', providerEnv: env, logDestination: new Writable({ write: (_chunk, _enc, done) => done() }) });
  producer = await startProducer(platform, parseEnv(ProducerEnvSchema, env));
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await producer.close();
  await platform.close();
  await sim.close();
  await deletePrefix(env.PARSIMONY_QUEUE_PREFIX);
});

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, [WORKER_ENTRY], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

/** The parts of GET /v1/jobs/:id the test reads. */
interface CrashJob {
  status: string;
  attempts: number;
  response: { choices: { message: { content: string | null } }[] } | null;
  completed_at: string | null;
}

async function getJob(id: string): Promise<CrashJob> {
  const res = await fetch(`${producer.url}/v1/jobs/${id}`, { headers: { authorization: 'Bearer k-crash' } });
  return (await res.json()) as CrashJob;
}

async function waitFor(id: string, check: (job: CrashJob) => boolean, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(id);
    if (check(job)) return job;
    if (Date.now() > until) throw new Error(`timed out; job is ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a worker killed mid-job: the job is picked up again and completes exactly once', async () => {
  // Slow the provider so the kill lands while the call is in flight.
  sim.faults.add({ latency_ms: 2_000, times: 1, match: { contains: 'crash-me' } });
  const res = await fetch(`${producer.url}/v1/jobs`, {
    method: 'POST',
    headers: { authorization: 'Bearer k-crash', 'content-type': 'application/json' },
    body: JSON.stringify({ request: { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'crash-me please' }] } }),
  });
  const { id } = (await res.json()) as { id: string };

  const first = startWorker();
  await waitFor(id, (job) => job.status === 'running', 20_000);
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));

  startWorker();
  const job = await waitFor(id, (j) => j.status === 'completed' || j.status === 'failed', 30_000);
  expect(job.status).toBe('completed');
  expect(job.attempts).toBe(2);
  expect(job.response!.choices[0].message.content).toBeTruthy();

  // Exactly one result: it does not change afterwards.
  await new Promise((r) => setTimeout(r, 1_500));
  const again = await getJob(id);
  expect(again.response).toEqual(job.response);
  expect(again.completed_at).toBe(job.completed_at);
}, 60_000);
