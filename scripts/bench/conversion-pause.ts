/**
 * The longest event-loop block while an embedded-store partition turns into an HNSW index (a diagnostic, not part
 * of `npm run bench`).
 *
 *   nice -n 10 npx tsx scripts/bench/conversion-pause.ts [--rounds 3] [--before <dir>]
 *
 * Each measurement runs in a fresh child process: one 100-d partition is filled to the HNSW threshold (2,048) by
 * synchronous inserts, then traffic arrives (one insert and one search every 1 ms timer, the conversion starting at
 * the first insert) while a setImmediate ticker records, per turn, the wall gap and this process's CPU time
 * (the block itself, robust to other load) and perf_hooks.monitorEventLoopDelay the worst delay, until the
 * partition has converted; then 200 ms more as the noise floor (after_conversion_*).
 * `--before <dir>` holds an older copy of embedded-vector-store.ts + embedded-partition.ts + vector-store.ts
 * (e.g. `git show main:shared/levers/cache/stores/<file>` into node_modules/.cache/<you>-before/); both builds then
 * run interleaved, A,B,A,B… Prints one JSON line: per build, the medians over rounds (ms).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { EmbeddedVectorStore } from '../../shared/levers/cache/stores/embedded-vector-store';
import { median, round } from './common/stats';
import { signedXorshift as rng } from './common/stats';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, before: { type: 'string' }, child: { type: 'string' } },
});
const DIMS = 100;
const THRESHOLD = 2048;
const CURRENT = resolve(__dirname, '../../shared/levers/cache/stores');

async function measure(dir: string): Promise<Record<string, number>> {
  const mod = (await import(resolve(dir, 'embedded-vector-store.ts'))) as { EmbeddedVectorStore: typeof EmbeddedVectorStore };
  const store = new mod.EmbeddedVectorStore({ dims: DIMS });
  await store.init();
  const r = rng(42);
  const vector = () => {
    const v = Float32Array.from({ length: DIMS }, () => r());
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const expiresAt = Date.now() + 3_600_000;
  const put = () => store.upsertSync({ id: `e${r()}`, vector: vector(), tenant: 't', scope: 's', expiresAt });
  const search = () => store.searchSync({ vector: vector(), tenant: 't', scope: 's', now: Date.now(), limit: 4, minSimilarity: 0 });
  // Searches while it fills, as traffic would: a cold (interpreted) first scan is not what is measured here.
  for (let i = 0; i < THRESHOLD; i++) {
    put();
    if (i % 8 === 0) search();
  }

  // Per turn: wall gap (includes time the OS gave other processes) and this process's CPU (the block itself).
  const phase = { during: { gap: 0, cpu: 0 }, after: { gap: 0, cpu: 0 } };
  let now: keyof typeof phase = 'during';
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let ticking = true;
  const tick = () => {
    const t = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    phase[now].gap = Math.max(phase[now].gap, t - last);
    phase[now].cpu = Math.max(phase[now].cpu, (cpu.user + cpu.system) / 1000);
    last = t;
    lastCpu = process.cpuUsage();
    if (ticking) setImmediate(tick);
  };
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  setImmediate(tick);
  let maxInsert = 0;
  let maxSearch = 0;
  const traffic = () => {
    const t = performance.now();
    put();
    const t1 = performance.now();
    search();
    maxInsert = Math.max(maxInsert, t1 - t);
    maxSearch = Math.max(maxSearch, performance.now() - t1);
  };
  // Let the monitors run a while first: a block in the very turn they start in is one monitorEventLoopDelay misses.
  await new Promise((done) => setTimeout(done, 50));
  const t0 = performance.now();
  traffic(); // the insert past the threshold: the conversion starts here
  const timer = setInterval(traffic, 1);
  // The build before this change had no idle(): its conversion ended inside the first insert.
  await (store as Partial<Pick<EmbeddedVectorStore, 'idle'>>).idle?.();
  const convertedMs = performance.now() - t0;
  await new Promise((done) => setImmediate(done));
  now = 'after';
  await new Promise((done) => setTimeout(done, 200));
  clearInterval(timer);
  ticking = false;
  delay.disable();
  await store.close();
  return {
    longest_turn_cpu_ms: phase.during.cpu,
    longest_turn_gap_ms: phase.during.gap,
    after_conversion_longest_turn_cpu_ms: phase.after.cpu,
    after_conversion_longest_turn_gap_ms: phase.after.gap,
    max_loop_delay_ms: delay.max / 1e6,
    longest_insert_ms: maxInsert,
    longest_search_ms: maxSearch,
    conversion_wall_ms: convertedMs,
  };
}

async function main(): Promise<void> {
  if (args.child) {
    process.stdout.write(`${JSON.stringify(await measure(args.child))}\n`);
    return;
  }
  const builds: Record<string, string> = args.before ? { before: resolve(args.before), after: CURRENT } : { current: CURRENT };
  const runs: Record<string, Record<string, number>[]> = {};
  const rounds = Number(args.rounds);
  for (let i = 0; i < rounds; i++) {
    const names = Object.keys(builds);
    if (i % 2) names.reverse();
    for (const name of names) {
      const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--child', builds[name]], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`${name}: ${child.stderr}`);
      (runs[name] ??= []).push(JSON.parse(child.stdout.trim()) as Record<string, number>);
    }
  }
  const out: Record<string, unknown> = { rounds, loadavg_1m: round(loadavg()[0], 2) };
  for (const [name, rs] of Object.entries(runs)) {
    out[name] = Object.fromEntries(Object.keys(rs[0]).map((k) => [k, round(median(rs.map((x) => x[k])), 2)]));
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

void main();
