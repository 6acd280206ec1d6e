import { mkdirSync, mkdtempSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { dedicatedRedis, freePort } from './redis-server';
import { stopChildren, stopChildrenOnExit } from './children';
import { ensureBuilt, rssMb, startService, waitForHttp, type ServiceProcess } from './service-process';
import { fuzzRequest, oversizedRequest, type FuzzRequest } from './fuzz/requests';
import { ResourcePool, send, type Target, type Verdict } from './fuzz/send';

/**
 * npm run fuzz [-- --requests N --concurrency C --seed S]
 *
 * Property-based fuzzing of every endpoint of an all-in-one Parsimony running
 * in its own process (so a crash is observable), against a dedicated Redis:
 * malformed and hostile requests (wrong types, huge and deeply nested bodies,
 * invalid UTF-8, unknown fields, bad JSONL and multipart, header injection,
 * path traversal, 1 MB prompts). Properties: never a 5xx, never a crash,
 * every error in the `{ error: { type, message } }` shape, another tenant's
 * ids never served, memory back near its baseline afterwards. Prints one
 * JSON line; exits 1 when a property failed. Failing examples go to stderr.
 */
const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: process.env.FUZZ_REQUESTS ?? '100000' },
    concurrency: { type: 'string', default: '32' },
    seed: { type: 'string', default: process.env.FUZZ_SEED ?? String(Date.now() % 2 ** 31) },
    'timeout-ms': { type: 'string', default: '30000' },
  },
});
const TOTAL = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const SEED = Number(values.seed);
const TIMEOUT_MS = Number(values['timeout-ms']);
const WARMUP = Math.min(2_000, Math.floor(TOTAL / 10));
const IDLE_MS = 10_000;
const log = (line: string) => process.stderr.write(`[fuzz] ${line}\n`);

const KEYS = { acme: 'k-fuzz-acme-1', globex: 'k-fuzz-globex-1' };
const ADMIN_KEY = 'fuzz-admin-key-0123456789abcdef';

interface Tally {
  requests: number;
  status_5xx: number;
  crashes: number;
  bad_error_shape: number;
  cross_tenant_leaks: number;
  transport_errors: number;
  client_refused: number;
  by_status: Record<string, number>;
  examples: Record<string, string[]>;
}

async function main(): Promise<void> {
  ensureBuilt(log);
  const work = mkdtempSync(join(tmpdir(), 'parsimony-fuzz-'));
  const dataDir = join(work, 'data');
  mkdirSync(dataDir);
  // Reuse converted word vectors when the tests already made them (the conversion takes a while).
  const shared = join(tmpdir(), 'parsimony-test-data', 'embeddings');
  if (existsSync(shared)) symlinkSync(shared, join(dataDir, 'embeddings'));
  const redis = await dedicatedRedis({ appendonly: false });
  const port = await freePort();
  const env: Record<string, string> = {
    REDIS_URL: redis.url,
    PORT: String(port),
    PARSIMONY_QUEUE_PREFIX: 'fuzz',
    PARSIMONY_API_KEYS: `acme:${KEYS.acme},globex:${KEYS.globex}`,
    PARSIMONY_ADMIN_KEY: ADMIN_KEY,
    OPENAI_WEBHOOK_SECRET: 'whsec_ZnV6ei13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5',
    PARSIMONY_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SIM_BATCH_SECONDS: '2',
  };
  const logFile = join(work, 'parsimony.log');
  const target: Target = { url: `http://127.0.0.1:${port}`, keys: KEYS, adminKey: ADMIN_KEY };
  let service: ServiceProcess = startService('all-in-one', 'parsimony', env, logFile);
  await waitForHttp(`${target.url}/healthz`);
  log(`all-in-one pid ${service.child.pid} on ${target.url}; seed ${SEED}; ${TOTAL} requests, concurrency ${CONCURRENCY}; logs in ${logFile}`);

  const tally: Tally = { requests: 0, status_5xx: 0, crashes: 0, bad_error_shape: 0, cross_tenant_leaks: 0, transport_errors: 0, client_refused: 0, by_status: {}, examples: {} };
  const pool = new ResourcePool();
  const example = (kind: string, req: FuzzRequest, verdict: Verdict) => {
    const list = (tally.examples[kind] ??= []);
    if (list.length < 5)
      list.push(
        `${req.kind} ${req.method} ${req.path}${req.query} id=${JSON.stringify(req.id)} auth=${req.auth} → ${verdict.status} ${verdict.transport ?? verdict.badShape ?? ''} body=${(req.raw ?? req.body ?? Buffer.alloc(0)).subarray(0, 160).toString('latin1')}`,
      );
  };
  const judge = (req: FuzzRequest, verdict: Verdict) => {
    tally.requests += 1;
    tally.by_status[verdict.status] = (tally.by_status[verdict.status] ?? 0) + 1;
    if (verdict.status === -1) tally.client_refused += 1;
    if (verdict.transport) {
      tally.transport_errors += 1;
      example('transport', req, verdict);
    }
    if (verdict.status >= 500) {
      tally.status_5xx += 1;
      example('5xx', req, verdict);
    }
    if (verdict.badShape) {
      tally.bad_error_shape += 1;
      example('shape', req, verdict);
    }
    if (verdict.crossTenant) {
      tally.cross_tenant_leaks += 1;
      example('cross_tenant', req, verdict);
    }
  };
  const checkAlive = async () => {
    if (service.alive) return;
    const exit = await service.exited;
    tally.crashes += 1;
    log(`CRASH: exit ${JSON.stringify(exit)}; restarting (see ${logFile})`);
    service = startService('all-in-one', 'parsimony', env, logFile);
    await waitForHttp(`${target.url}/healthz`);
  };

  const timing: Record<string, { n: number; ms: number; max: number }> = {};
  const started = Date.now();
  let baselineRss = NaN;
  let baselineHeap = NaN;
  // Memory read after a few idle seconds, when V8's memory reducer has run a full GC: comparable readings.
  const idleMemory = async () => {
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const metrics = await fetch(`${target.url}/metrics`).then(
      (r) => r.text(),
      () => '',
    );
    const heap = /^nodejs_heap_size_used_bytes (\S+)/m.exec(metrics);
    return { rss: rssMb(service.child.pid), heap: heap ? Number(heap[1]) / 2 ** 20 : NaN };
  };
  const chunk = 1_000;
  for (let done = 0, round = 0; done < TOTAL; round++) {
    const size = Math.min(chunk, TOTAL - done);
    const batch = fc.sample(fuzzRequest, { numRuns: size, seed: SEED + round });
    // Rarely, a body over the 10 MB limit: it is the size that is tested.
    if (round % 20 === 19) batch[0] = oversizedRequest();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < batch.length) {
          const req = batch[next++];
          const t0 = performance.now();
          const verdict = await send(req, target, pool, TIMEOUT_MS);
          const spent = (timing[req.kind] ??= { n: 0, ms: 0, max: 0 });
          const ms = performance.now() - t0;
          spent.n += 1;
          spent.ms += ms;
          spent.max = Math.max(spent.max, ms);
          judge(req, verdict);
        }
      }),
    );
    done += size;
    await checkAlive();
    if (Number.isNaN(baselineRss) && done >= WARMUP) ({ rss: baselineRss, heap: baselineHeap } = await idleMemory());
    if (round % 10 === 9) log(`${done} requests, ${tally.status_5xx} 5xx, ${tally.bad_error_shape} bad shapes, rss ${rssMb(service.child.pid).toFixed(0)} MB`);
  }
  // Let in-flight background work (queued jobs, batches) settle, then compare memory with the warm baseline.
  await new Promise((r) => setTimeout(r, 5_000));
  await checkAlive();
  const health = await fetch(`${target.url}/healthz`).then(
    (r) => r.status,
    () => 0,
  );
  const { rss: finalRss, heap: finalHeap } = await idleMemory();
  const seconds = (Date.now() - started) / 1000;

  const slowest = Object.entries(timing).sort((a, b) => b[1].ms / b[1].n - a[1].ms / a[1].n);
  log(`time by kind (mean ms, n, max ms): ${slowest.map(([k, t]) => `${k} ${(t.ms / t.n).toFixed(0)}/${t.n}/${t.max.toFixed(0)}`).join(', ')}`);
  for (const [kind, list] of Object.entries(tally.examples)) for (const line of list) log(`example ${kind}: ${line}`);
  const result = {
    requests: tally.requests,
    status_5xx: tally.status_5xx,
    crashes: tally.crashes,
    bad_error_shape: tally.bad_error_shape,
    rss_growth_mb: Math.round((finalRss - baselineRss) * 10) / 10,
    rss_baseline_mb: Math.round(baselineRss),
    rss_final_mb: Math.round(finalRss),
    heap_growth_mb: Math.round((finalHeap - baselineHeap) * 10) / 10,
    heap_baseline_mb: Math.round(baselineHeap),
    cross_tenant_leaks: tally.cross_tenant_leaks,
    transport_errors: tally.transport_errors,
    client_refused: tally.client_refused,
    healthy_after: health === 200,
    by_status: tally.by_status,
    seed: SEED,
    seconds: Math.round(seconds),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);

  service.child.kill('SIGTERM');
  await Promise.race([service.exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (service.alive) service.child.kill('SIGKILL');
  await redis.remove();
  if (!tally.status_5xx && !tally.crashes && !tally.bad_error_shape && !tally.cross_tenant_leaks) rmSync(work, { recursive: true, force: true });
  process.exit(tally.status_5xx || tally.crashes || tally.bad_error_shape || tally.cross_tenant_leaks || health !== 200 ? 1 : 0);
}

stopChildrenOnExit(log);
main().catch(async (err: unknown) => {
  process.stderr.write(`[fuzz] failed: ${(err as Error).stack ?? String(err)}\n`);
  await stopChildren();
  process.exit(2);
});
