/**
 * `npm run bench`: every benchmark, one after the other, each in its own
 * process, each rewriting its section of BENCHMARKS.md. Builds the product
 * once first (into node_modules/.cache/parsimony-bench, see common/processes.ts).
 *
 *   npm run bench -- [--only cost,overhead,throughput,scale] [--full] [--no-write]
 *
 * --full adds the 1,000,000-entry cache size to the scale bench (~8 more
 * minutes). A failing benchmark does not stop the others; the exit code is 1
 * if any failed. Prints one JSON line with every benchmark's result.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { benchArgs, DEFAULT_DATA_DIR } from './common/cli';
import { machineInfo, progress } from './common/machine';
import { buildDist, REPO_ROOT } from './common/processes';

const args = benchArgs({
  only: { type: 'string', default: 'cost,overhead,throughput,scale' },
  full: { type: 'boolean', default: false },
});
const BENCHES = ['cost', 'overhead', 'throughput', 'scale'] as const;

/** Runs one benchmark script; its stderr (progress) passes through, its stdout's last line is its result. */
function run(name: string, extra: string[]): Promise<{ ok: boolean; result: unknown; seconds: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, `scripts/bench/${name}.ts`), '--no-build', ...extra], {
      cwd: REPO_ROOT,
      env: { ...process.env, BENCH_DIST_READY: '1', BENCH_PARENT_COMMAND: `npm run bench${args.full ? ' -- --full' : ''}` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    // A benchmark that hangs must not hold the others: 40 minutes is far beyond any of them (scale --full included).
    const timer = setTimeout(() => {
      progress(`${name} still running after 40 min: stopping it`);
      child.kill('SIGTERM');
    }, 40 * 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const seconds = Math.round((Date.now() - t0) / 1000);
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve({ ok: code === 0, result: JSON.parse(last), seconds });
      } catch {
        resolve({ ok: false, result: { error: `exit ${code}`, stdout: out.slice(-500) }, seconds });
      }
    });
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = machineInfo();
  const only = args.only!.split(',').filter(Boolean);
  for (const name of only) if (!(BENCHES as readonly string[]).includes(name)) throw new Error(`unknown benchmark ${name}`);
  buildDist(args['no-build']);
  const results: Record<string, unknown> = {};
  const seconds: Record<string, number> = {};
  const failed: string[] = [];
  for (const name of BENCHES.filter((b) => only.includes(b))) {
    progress(`=== ${name} ===`);
    const extra = [...(args['no-write'] ? ['--no-write'] : []), ...(name === 'scale' && args.full ? ['--full'] : []), ...(args.data !== DEFAULT_DATA_DIR ? ['--data', args.data!] : [])];
    const r = await run(name, extra);
    results[name] = r.result;
    seconds[name] = r.seconds;
    if (!r.ok) failed.push(name);
    progress(`=== ${name} ${r.ok ? 'done' : 'FAILED'} in ${r.seconds} s ===`);
  }
  const total = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`${JSON.stringify({ bench: 'all', date: new Date(started).toISOString(), machine, duration_s: total, seconds, failed, results })}\n`);
  progress(`all benchmarks: ${total} s${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
  if (failed.length) process.exit(1);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
