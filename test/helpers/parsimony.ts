import { Writable } from 'node:stream';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startSimulator, type Simulator } from '../../infra/simulator/server';
import { startAll, type RunningParsimony } from '../../services/all-in-one/start-all';
import { createLogger } from '../../shared/platform/logging/logger';
import { TEST_DATA_DIR } from './data-dir';
import { track } from './lifecycle';
import { deletePrefix, REDIS_URL, uniquePrefix } from './redis';
import type { LooseJson } from './loose-json';

/** fetch's Response, with `json()` typed loosely for assertions. */
export type TestResponse = Omit<Response, 'json'> & { json(): Promise<LooseJson> };

export { TEST_DATA_DIR };

export const KEYS = { acme: 'k-acme-test-1', globex: 'k-globex-test-1' } as const;

export interface TestParsimony {
  url: string;
  sim: Simulator;
  app: RunningParsimony;
  prefix: string;
  env: Record<string, string>;
  /** Everything the services logged, one JSON line each. */
  logs: string[];
  /** An official OpenAI SDK client pointed at Parsimony. */
  openai(tenant?: keyof typeof KEYS, options?: Partial<ConstructorParameters<typeof OpenAI>[0]>): OpenAI;
  /** An official Anthropic SDK client pointed at Parsimony (its key sent as `x-api-key`). */
  anthropic(tenant?: keyof typeof KEYS, options?: Partial<ConstructorParameters<typeof Anthropic>[0]>): Anthropic;
  /** Raw HTTP against Parsimony with a tenant's key. */
  http(path: string, init?: RequestInit & { tenant?: keyof typeof KEYS | null; json?: unknown }): Promise<TestResponse>;
  close(): Promise<void>;
}

/**
 * Starts the simulator and Parsimony (all services, one process) on free
 * ports with a unique Redis prefix. `close()` stops both and deletes the keys;
 * it is idempotent, and runs at the end of the test file even when the start
 * finished after a timed-out beforeAll (test/helpers/lifecycle.ts).
 */
export function startTestParsimony(name: string, env: Record<string, string> = {}): Promise<TestParsimony> {
  return track(startParsimony(name, env));
}

async function startParsimony(name: string, env: Record<string, string>): Promise<TestParsimony> {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const sim = await startSimulator({ port: 0, logger: createLogger({ service: 'simulator', level: 'silent' }) });
  const prefix = uniquePrefix(name);
  const fullEnv: Record<string, string> = {
    REDIS_URL,
    PARSIMONY_QUEUE_PREFIX: prefix,
    PARSIMONY_API_KEYS: `acme:${KEYS.acme},globex:${KEYS.globex}`,
    PORT: '0',
    LOG_LEVEL: 'info',
    OPENAI_API_KEY: 'sk-test-provider-key',
    OPENAI_BASE_URL: `${sim.url}/v1`,
    ANTHROPIC_API_KEY: 'sk-ant-test-provider-key',
    ANTHROPIC_BASE_URL: sim.url,
    PARSIMONY_STALLED_INTERVAL_MS: '1000',
    PARSIMONY_JOB_LOCK_MS: '5000',
    // Converted word vectors are shared by every test run; each test's index lives under its own prefix.
    PARSIMONY_DATA_DIR: TEST_DATA_DIR,
    // Every pipeline worker in this process (logs, platforms and metrics the tests read), whatever the machine's cores.
    PARSIMONY_WORKERS: '1',
    ...env,
  };
  const app = await startAll({ env: fullEnv, logDestination: destination }).catch(async (error: unknown) => {
    await sim.close();
    throw error;
  });
  return {
    url: app.url,
    sim,
    app,
    prefix,
    env: fullEnv,
    logs,
    openai: (tenant = 'acme', options = {}) => new OpenAI({ apiKey: KEYS[tenant], baseURL: `${app.url}/v1`, maxRetries: 0, ...options }),
    anthropic: (tenant = 'acme', options = {}) => new Anthropic({ apiKey: KEYS[tenant], baseURL: app.url, maxRetries: 0, ...options }),
    http: (path, init = {}) => {
      const { tenant = 'acme', json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (tenant) headers.set('authorization', `Bearer ${KEYS[tenant]}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${app.url}${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
    },
    close: async () => {
      await app.close();
      await sim.close();
      await deletePrefix(prefix);
      // Only this instance's index: other test runs may share the data dir.
      const indexDir = join(TEST_DATA_DIR, 'vector-index');
      const own = (await readdir(indexDir).catch(() => [] as string[])).filter((name) => name.startsWith(`${prefix}_`));
      await Promise.all(own.map((name) => rm(join(indexDir, name), { recursive: true, force: true })));
    },
  };
}

/** Polls GET /v1/jobs/:id until `done(job)` or the timeout. */
export async function waitForJob(
  p: TestParsimony,
  id: string,
  done: (job: LooseJson) => boolean = (j) => ['completed', 'failed', 'cancelled'].includes(j.status),
  timeoutMs = 15_000,
  tenant: keyof typeof KEYS = 'acme',
): Promise<LooseJson> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await p.http(`/v1/jobs/${id}`, { tenant });
    const job = await res.json();
    if (res.ok && done(job)) return job;
    if (Date.now() > until) throw new Error(`job ${id} did not reach the expected state in ${timeoutMs} ms: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function chatBody(text: string, extra: Record<string, unknown> = {}) {
  return { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: text }], ...extra };
}
