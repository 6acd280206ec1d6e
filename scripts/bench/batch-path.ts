/**
 * Batch path benchmark: jobs per second through the batch lever end to end —
 * POST /v1/jobs (latency "batch") → router-worker (every lever) → deferred →
 * batch-submitter (intake, packing, streamed upload, provider batch) →
 * simulator batch → polling → streamed results → completion at the batch
 * price — with the services in this process and the provider simulator.
 *
 *   npx tsx scripts/bench/batch-path.ts [--jobs 5000] [--batch-seconds 1] [--max-wait 1] [--max-requests N]
 *                                       [--concurrency 64] [--providers openai,anthropic] [--redis redis://127.0.0.1:6379]
 *                                       [--direct]
 *
 * --direct stores the jobs as the defer stage leaves them (status deferred,
 * shaped request and ledger on the record, id in the submitter's inbox) and
 * times the batch-submitter alone, from start to the last completion.
 *
 * Prints one JSON line: jobs, seconds (first submission → last completion),
 * jobs_per_second, the submission rate alone, provider batches created, and
 * the simulator's batch window (a fixed floor of the end-to-end time).
 * Needs Redis; cleans up its keys.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startBatchSubmitter } from '../../services/batch-submitter/batch-submitter';
import { startProducer } from '../../services/producer/start-producer';
import { startRouterWorker } from '../../services/router-worker/router-worker';
import { BatchEnvSchema, CommonEnvSchema, ProducerEnvSchema, WorkerEnvSchema, parseEnv } from '../../shared/platform/config/env';
import { Platform } from '../../shared/runtime/platform';
import { BatchKeys } from '../../shared/levers/batch/batch-keys';
import { CostLedger } from '../../shared/core/accounting/cost-ledger';
import type { JobRecord } from '../../shared/core/jobs/job-record';
import { JobStore } from '../../shared/core/jobs/job-store';
import type { ChatRequest } from '../../shared/core/chat-model';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '5000' },
    'batch-seconds': { type: 'string', default: '1' },
    'max-wait': { type: 'string', default: '1' },
    'max-requests': { type: 'string' },
    concurrency: { type: 'string', default: '64' },
    providers: { type: 'string', default: 'openai,anthropic' },
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    /** Skip HTTP and the router-worker: store the jobs already deferred, then time the batch-submitter alone. */
    direct: { type: 'boolean', default: false },
  },
});
const JOBS = Number(values.jobs);
const MODELS: Record<string, string> = { openai: 'gpt-4.1-mini', anthropic: 'claude-haiku-4-5' };
const models = values
  .providers!.split(',')
  .map((p) => MODELS[p.trim()])
  .filter(Boolean);
const TOPICS = ['a delayed order', 'a refund request', 'a login problem', 'a billing question', 'a product review', 'a shipping address change'];

async function main(): Promise<void> {
  const silent = new Writable({ write: (_c, _e, done) => done() });
  const sim = await spawnSimulator(Number(values['batch-seconds']));
  const prefix = `bench-batch-${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    REDIS_URL: values.redis!,
    PARSIMONY_QUEUE_PREFIX: prefix,
    PARSIMONY_API_KEYS: 'acme:k-bench',
    PORT: '0',
    LOG_LEVEL: 'warn',
    PARSIMONY_CACHE: 'off',
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: `${sim.url}/v1`,
    ANTHROPIC_API_KEY: 'sk-ant-bench',
    ANTHROPIC_BASE_URL: sim.url,
    PARSIMONY_BATCH_MAX_WAIT_SECONDS: values['max-wait']!,
    PARSIMONY_BATCH_FLUSH_INTERVAL_MS: '100',
    PARSIMONY_BATCH_POLL_SECONDS: '0.25',
    PARSIMONY_BATCH_POLL_MAX_SECONDS: '0.5',
    ...(values['max-requests'] ? { PARSIMONY_PROVIDER_BATCH_MAX_REQUESTS: values['max-requests'] } : {}),
  };
  const common = parseEnv(CommonEnvSchema, env);
  const platform = (service: string, role: 'http' | 'worker') => Platform.create({ env: common, service, role, providerEnv: env, logDestination: silent });
  const http = platform('producer', 'http');
  const worker = platform('router-worker', 'worker');
  const batch = platform('batch-submitter', 'worker');
  const routerWorker = startRouterWorker(worker, parseEnv(WorkerEnvSchema, env));
  let submitter = values.direct ? undefined : startBatchSubmitter(batch, parseEnv(BatchEnvSchema, env), env);
  const producer = await startProducer(http, parseEnv(ProducerEnvSchema, env));
  const redis = new Redis(values.redis!);
  const savingsKey = `${prefix}:savings:acme:${new Date().toISOString().slice(0, 10)}`;

  let started = performance.now();
  let next = 0;
  const ids: string[] = [];
  if (values.direct) {
    await storeDeferred(batch, ids);
    started = performance.now();
    submitter = startBatchSubmitter(batch, parseEnv(BatchEnvSchema, env), env);
  } else {
    const submitOne = async (i: number) => {
      const body = {
        request: {
          model: models[i % models.length],
          messages: [{ role: 'user', content: `Ticket ${i}: classify ${TOPICS[i % TOPICS.length]} as billing, shipping, account or other.` }],
          max_tokens: 30,
        },
        latency: 'batch',
      };
      const res = await fetch(`${producer.url}/v1/jobs`, { method: 'POST', headers: { authorization: 'Bearer k-bench', 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status !== 202) throw new Error(`POST /v1/jobs answered ${res.status}: ${await res.text()}`);
      ids[i] = ((await res.json()) as { id: string }).id;
    };
    await Promise.all(
      Array.from({ length: Number(values.concurrency) }, async () => {
        while (next < JOBS) await submitOne(next++);
      }),
    );
  }
  const submitted = performance.now();
  for (;;) {
    const done = Number((await redis.hget(savingsKey, 'all|requests')) ?? 0);
    if (done >= JOBS) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const finished = performance.now();

  // Every job completed once, by a provider batch, with the batch saving.
  const check = redis.pipeline();
  for (const id of ids) check.hget(`${prefix}:job:${id}`, 'record');
  const records = ((await check.exec()) ?? []).map(([, raw]) => JSON.parse(raw as string));
  const byBatch = records.filter((r) => r.status === 'completed' && r.delivered_by === 'batch' && r.cost.by_lever.batch > 0).length;
  const agg = await redis.hgetall(savingsKey);
  const seconds = (finished - started) / 1000;
  const result = {
    bench: 'batch-path',
    jobs: JOBS,
    models,
    seconds: Number(seconds.toFixed(2)),
    jobs_per_second: Math.round(JOBS / seconds),
    mode: values.direct ? 'batch-submitter only (jobs stored deferred)' : 'end to end (HTTP → router-worker → batch-submitter)',
    submit_jobs_per_second: values.direct ? null : Math.round(JOBS / ((submitted - started) / 1000)),
    drain_seconds: Number(((finished - submitted) / 1000).toFixed(2)),
    completed_by_batch: byBatch,
    provider_batches: (await sim.stats()).batches_created,
    sim_batch_seconds: Number(values['batch-seconds']),
    max_wait_seconds: Number(values['max-wait']),
    saved_usd: Number((Number(agg['all|baseline_usd']) - Number(agg['all|actual_usd'])).toFixed(6)),
    batch_lever_usd: Number(Number(agg['all|lever:batch']).toFixed(6)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);

  await producer.close();
  await submitter?.close();
  await routerWorker.close();
  await Promise.all([http.close(), worker.close(), batch.close()]);
  sim.close();
  let cursor = '0';
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = nextCursor;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

/** The simulator in a child process (tsx), on a free port. */
async function spawnSimulator(batchSeconds: number) {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => resolve(free));
    });
  });
  const child = spawn(
    process.execPath,
    [join(__dirname, '../../node_modules/tsx/dist/cli.mjs'), join(__dirname, '../../infra/simulator/main.ts'), '--port', String(port), '--batch-seconds', String(batchSeconds)],
    {
      env: { ...process.env, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${url}/_sim/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 200) throw new Error('simulator did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    stats: async () => (await (await fetch(`${url}/_sim/stats`)).json()) as { batches_created: number },
    close: () => child.kill('SIGTERM'),
  };
}

/** Jobs as the defer stage leaves them: deferred, shaped request and ledger on the record, id in the inbox. */
async function storeDeferred(platform: Platform, ids: string[]): Promise<void> {
  const keys = new BatchKeys(platform.env.PARSIMONY_QUEUE_PREFIX);
  const now = new Date().toISOString();
  for (let start = 0; start < JOBS; start += 1000) {
    const chunk: JobRecord[] = [];
    for (let i = start; i < Math.min(JOBS, start + 1000); i++) {
      const model = platform.catalog.get(models[i % models.length]);
      const request: ChatRequest = {
        model: model.id,
        system: [],
        messages: [{ role: 'user', content: [{ type: 'text', text: `Ticket ${i}: classify ${TOPICS[i % TOPICS.length]} as billing, shipping, account or other.` }] }],
        sampling: { max_tokens: 30 },
      };
      const id = JobStore.newId();
      ids[i] = id;
      chunk.push({
        id,
        tenant: 'acme',
        status: 'deferred',
        created_at: now,
        started_at: now,
        options: { requested_model: model.id, latency: 'batch' },
        request,
        route: { model: model.id, provider: model.provider, tier: model.tier, reason: 'bench' },
        attempts: 1,
        annotations: { batch: { deferred: true, reason: 'bench' } },
        deferred: { request, ledger: new CostLedger().toJSON(), reason: 'bench', at: now },
      });
    }
    await Promise.all(chunk.map((job) => platform.store.create(job)));
    await platform.redis.lpush(keys.inbox, ...chunk.map((j) => j.id));
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
