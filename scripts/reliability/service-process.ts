import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { trackChild } from './children';

/**
 * Built service entry points run as child processes, for the chaos and fuzz
 * runs: each service in its own process, so a SIGKILL or a crash is real.
 */
export const ROOT = join(__dirname, '../..');

export const ENTRIES = {
  producer: 'dist/services/producer/main.js',
  'router-worker': 'dist/services/router-worker/main.js',
  'cache-service': 'dist/services/cache-service/main.js',
  'batch-submitter': 'dist/services/batch-submitter/main.js',
  'all-in-one': 'dist/services/all-in-one/main.js',
  simulator: 'dist/infra/simulator/main.js',
} as const;
export type ServiceName = keyof typeof ENTRIES;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (/\.(ts|json)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Runs `npm run build` when an entry is missing or older than the sources it
 * is built from. Type errors elsewhere in the tree do not stop tsc emitting,
 * so the build counts as good when every entry is there and fresh.
 */
export function ensureBuilt(log: (line: string) => void): void {
  const sources = Math.max(...['services', 'shared', 'infra'].map((d) => newestMtime(join(ROOT, d))));
  const oldestEntry = Math.min(...Object.values(ENTRIES).map((e) => (existsSync(join(ROOT, e)) ? statSync(join(ROOT, e)).mtimeMs : 0)));
  if (oldestEntry >= sources) return;
  log('dist is missing or stale: npm run build');
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  const fresh = Object.values(ENTRIES).every((e) => existsSync(join(ROOT, e)) && statSync(join(ROOT, e)).mtimeMs >= sources);
  if (!fresh) throw new Error(`npm run build did not produce fresh entries:\n${result.stdout}\n${result.stderr}`);
  if (result.status !== 0) log('npm run build reported type errors (outside the services?); entries were emitted and are used');
}

export interface ServiceProcess {
  name: string;
  service: ServiceName;
  child: ChildProcess;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly alive: boolean;
}

/**
 * Starts a built service with `env`; stdout/stderr (pino JSON) go to
 * `logFile` (appended), so a run's logs can be searched afterwards.
 */
export function startService(service: ServiceName, name: string, env: Record<string, string>, logFile: string, nodeArgs: string[] = []): ServiceProcess {
  const out: WriteStream = createWriteStream(logFile, { flags: 'a' });
  const child = trackChild(spawn(process.execPath, [...nodeArgs, join(ROOT, ENTRIES[service])], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      out.end();
      resolve({ code, signal });
    }),
  );
  return {
    name,
    service,
    child,
    exited,
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
  };
}

/** Resident set size of a process in MB (Linux /proc), or NaN. */
export function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Polls `url` until it answers `expect` (default any 2xx), or throws after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs = 30_000, ok: (status: number) => boolean = (s) => s >= 200 && s < 300): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (ok(res.status)) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`${url} did not come up in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
