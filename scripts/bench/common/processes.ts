import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { progress } from './machine';

/** Repository root (scripts/bench/common → ../../..). */
export const REPO_ROOT = resolve(__dirname, '../../..');
/**
 * The benchmarks' own build (tsc -p tsconfig.build.json --outDir here). Not
 * dist/: other engineers rebuild dist/ while tests run, and a benchmark must
 * neither start half-written files nor measure someone else's build.
 * Inside node_modules so the compiled code resolves packages from the repo.
 * PARSIMONY_BENCH_BUILD_DIR gives an engineer their own (it must also sit inside node_modules/).
 */
export const BENCH_BUILD_ROOT = process.env.PARSIMONY_BENCH_BUILD_DIR ?? join(REPO_ROOT, 'node_modules/.cache/parsimony-bench');
export const BENCH_DIST = join(BENCH_BUILD_ROOT, 'dist');
/** Converted word vectors are kept between runs (the conversion takes seconds); indexes live under per-run prefixes. */
export const BENCH_DATA_DIR = join(tmpdir(), 'parsimony-bench-data');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Compiles the product into BENCH_DIST unless BENCH_DIST_READY=1 (set by
 * all.ts after building once) or `skip`. Type errors elsewhere in the tree
 * (work in progress of others) do not stop the bench as long as tsc emitted.
 */
export function buildDist(skip = false): void {
  if (skip || process.env.BENCH_DIST_READY === '1') {
    if (!existsSync(join(BENCH_DIST, 'services/all-in-one/main.js'))) throw new Error(`no build at ${BENCH_DIST}: run without --no-build once`);
    return;
  }
  progress(`building into ${BENCH_DIST} (tsc)`);
  const t0 = Date.now();
  const out = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', BENCH_DIST], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (out.status !== 0) {
    const errors = `${out.stdout}${out.stderr}`.split('\n').filter((l) => l.includes('error TS'));
    progress(`tsc reported ${errors.length} type error(s) (emitted anyway); first: ${errors[0] ?? out.stderr}`);
  }
  if (!existsSync(join(BENCH_DIST, 'services/all-in-one/main.js'))) throw new Error('build produced no services/all-in-one/main.js');
  progress(`built in ${Math.round((Date.now() - t0) / 1000)} s`);
  process.env.BENCH_DIST_READY = '1';
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
  });
}

/** Polls `url` until it answers `ok(status)`; throws after `timeoutMs` or when `child` exits. */
export async function waitHttp(url: string, child: ChildProcess, timeoutMs = 60_000, ok: (status: number) => boolean = (s) => s === 200): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (ok(res.status)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** A child process this benchmark started (and alone may stop). */
export interface BenchProcess {
  name: string;
  url: string;
  pid: number;
  child: ChildProcess;
  /** Last lines the process printed, for error messages. */
  tail(): string;
  /** Peak resident set size so far (Linux VmHWM), MB. */
  peakRssMb(): number | null;
  /** Current resident set size (VmRSS), MB. */
  rssMb(): number | null;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Never leave a simulator or a Parsimony behind: kill our own children (by pid) on the way out.
  const killAll = () => {
    for (const c of running) if (c.pid && c.exitCode === null) c.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      killAll();
      process.exit(130);
    });
}

/** A process's peak (VmHWM) or current (VmRSS) resident set from /proc, MB; null when it is gone. */
export function procStatusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** Spawns `node args…`, keeps its output (forwarded to stderr with BENCH_VERBOSE=1), waits for `readyPath`. */
export async function spawnNode(
  name: string,
  args: string[],
  opts: { env?: Record<string, string>; port: number; readyPath: string; ready?: (s: number) => boolean; timeoutMs?: number },
): Promise<BenchProcess> {
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    const text = String(chunk);
    if (process.env.BENCH_VERBOSE === '1') process.stderr.write(`[${name}] ${text}`);
    lines.push(...text.split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${opts.port}`;
  const proc: BenchProcess = {
    name,
    url,
    pid: child.pid!,
    child,
    tail: () => lines.slice(-15).join('\n'),
    peakRssMb: () => procStatusMb(child.pid!, 'VmHWM'),
    rssMb: () => procStatusMb(child.pid!, 'VmRSS'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitHttp(`${url}${opts.readyPath}`, child, opts.timeoutMs ?? 90_000, opts.ready);
  } catch (err) {
    await proc.stop();
    throw new Error(`${name} did not start: ${(err as Error).message}\n${proc.tail()}`, { cause: err });
  }
  return proc;
}

export interface SimulatorProcessOptions {
  /** Latency before every provider answer, ms. Default 0. */
  latencyMs?: number;
  /** Seconds a provider batch takes. Default 2. */
  batchSeconds?: number;
}

/** The provider simulator in its own process (compiled build). */
export async function startSimulatorProcess(o: SimulatorProcessOptions = {}): Promise<BenchProcess> {
  const port = await freePort();
  const args = [join(BENCH_DIST, 'infra/simulator/main.js'), '--port', String(port), '--latency-ms', String(o.latencyMs ?? 0), '--batch-seconds', String(o.batchSeconds ?? 2)];
  return spawnNode('simulator', args, { port, readyPath: '/_sim/health', env: { LOG_LEVEL: 'warn' } });
}

export interface ParsimonyProcessOptions {
  simUrl: string;
  /** Redis prefix; every key of the run lives under it and is deleted afterwards. */
  prefix: string;
  /** tenant → API key. */
  keys: Record<string, string>;
  /** Extra environment (e.g. PARSIMONY_CACHE, batch timings). */
  env?: Record<string, string>;
  /** The entry point under the build; default the all-in-one (every service in one process). */
  entry?: string;
  /** Node flags (e.g. --cpu-prof). Default none. */
  nodeArgs?: string[];
}

/** Parsimony (all services, one process) from the benchmark build, pointed at the simulator. Retried once (a port taken meanwhile, a slow start on a busy machine). */
export async function startParsimonyProcess(o: ParsimonyProcessOptions): Promise<BenchProcess> {
  try {
    return await startParsimonyOnce(o);
  } catch (err) {
    progress(`Parsimony did not start (${(err as Error).message.split('\n')[0]}); retrying once`);
    return startParsimonyOnce(o);
  }
}

async function startParsimonyOnce(o: ParsimonyProcessOptions): Promise<BenchProcess> {
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL,
    PARSIMONY_QUEUE_PREFIX: o.prefix,
    PARSIMONY_API_KEYS: Object.entries(o.keys)
      .map(([t, k]) => `${t}:${k}`)
      .join(','),
    PARSIMONY_DATA_DIR: BENCH_DATA_DIR,
    LOG_LEVEL: 'warn',
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: `${o.simUrl}/v1`,
    ANTHROPIC_API_KEY: 'sk-ant-bench',
    ANTHROPIC_BASE_URL: o.simUrl,
    ...o.env,
  };
  return spawnNode('parsimony', [...(o.nodeArgs ?? []), join(BENCH_DIST, o.entry ?? 'services/all-in-one/main.js')], { port, env, readyPath: '/readyz', timeoutMs: 120_000 });
}

/** The Portkey gateway (npm @portkey-ai/gateway) in its own process; it routes to the simulator per request headers. */
export async function startPortkeyProcess(): Promise<BenchProcess> {
  const port = await freePort();
  const entry = join(REPO_ROOT, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  return spawnNode('portkey', [entry, `--port=${port}`, '--headless'], { port, readyPath: '/', env: { NODE_ENV: 'production' } });
}

/** Fails fast, with one clear line, when Redis is not reachable (every benchmark but scale needs it). */
export async function checkRedis(): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 3_000, lazyConnect: true, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Redis at ${REDIS_URL} is not reachable (${(err as Error).message}); start it or set REDIS_URL`, { cause: err });
  } finally {
    redis.disconnect();
  }
}

/** Deletes every Redis key under `prefix:` (and the run's embedded index directory). */
export async function cleanupPrefix(prefix: string, redisUrl = REDIS_URL): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  const indexes = join(BENCH_DATA_DIR, 'vector-index');
  const mine = prefix.replace(/[^A-Za-z0-9_-]+/g, '_');
  if (existsSync(indexes)) for (const dir of readdirSync(indexes)) if (dir.startsWith(`${mine}_cache_`)) rmSync(join(indexes, dir), { recursive: true, force: true });
}
