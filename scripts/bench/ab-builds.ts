/**
 * Interleaved A/B of two builds (a diagnostic, not part of `npm run bench`).
 *
 *   PARSIMONY_BENCH_BUILD_DIR=… npx tsx scripts/bench/ab-builds.ts --a <buildRoot> --b <buildRoot> [--rate 200] [--duration 5] [--rounds 4] [--targets miss,hit]
 *
 * Each --a / --b is a build root holding dist/ (tsc -p tsconfig.build.json --outDir <root>/dist), inside
 * node_modules/ so packages resolve. One simulator (0 ms), one Parsimony per build in its own process and Redis
 * prefix, both alive throughout; each round runs every target on A then B (order alternating per round), so both
 * builds meet the same machine load. Prints per build and target the medians over rounds of CPU ms per request
 * (/proc, and its system part), latency percentiles and CPU µs per request per stage
 * (parsimony_stage_cpu_seconds_total deltas). `--env '{"K":"v"}'` adds environment to both.
 *
 * A "before" build: copy a benchmark build root (e.g. node_modules/.cache/<you>-bench, built by any bench before
 * your change) to its own directory. Compare at a rate neither build saturates: a saturated build batches more
 * Redis work per round trip and looks cheaper per request than it is. Read the stage table with care when requests
 * overlap: stage-cpu.ts splits each interval's CPU among the stages active in it, so a stage that awaits I/O (the
 * provider call, the cache store) is charged for whatever else ran meanwhile.
 */
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { readFileSync } from 'node:fs';
import { benchArgs, cpuMs } from './common/cli';
import { dataPaths, distinctQuestions } from './common/datasets';
import { progress } from './common/machine';
import { runPaced, type LoadTarget } from './common/paced-load';
import { BENCH_DIST, checkRedis, cleanupPrefix, startParsimonyProcess, startSimulatorProcess, type BenchProcess } from './common/processes';
import { median, round } from './common/stats';

const args = benchArgs({
  a: { type: 'string' },
  b: { type: 'string' },
  rate: { type: 'string', default: '200' },
  duration: { type: 'string', default: '5' },
  rounds: { type: 'string', default: '4' },
  targets: { type: 'string', default: 'miss,hit' },
  env: { type: 'string', default: '{}' },
});
const KEY = 'k-bench-ab';

/** System CPU (stime) of a process so far, ms. */
function sysMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[12]) * 10;
}

async function stageCpu(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^parsimony_stage_cpu_seconds_total\{stage="([^"]+)"\} (\S+)$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

async function main(): Promise<void> {
  if (!args.a || !args.b) throw new Error('--a and --b (build roots) are required');
  await checkRedis();
  const questions = distinctQuestions(dataPaths(args.data!).pairs);
  const builds = { A: args.a, B: args.b };
  const sim = await startSimulatorProcess({ latencyMs: 0 });
  const procs: Record<string, BenchProcess> = {};
  const prefixes: string[] = [];
  try {
    for (const [name, root] of Object.entries(builds)) {
      const prefix = `bench-ab-${name}-${process.pid}`;
      prefixes.push(prefix);
      procs[name] = await startParsimonyProcess({
        simUrl: sim.url,
        prefix,
        keys: { bench: KEY },
        entry: relative(BENCH_DIST, join(root, 'dist/services/all-in-one/main.js')),
        env: { PARSIMONY_CACHE: 'on', ...(JSON.parse(args.env!) as Record<string, string>) },
      });
    }
    const cursors: Record<string, number> = { A: 0, B: 0 };
    const chat = (q: string) => JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: q }], max_tokens: 64 });
    const target = (name: string, kind: string): LoadTarget => ({
      url: procs[name]!.url,
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${KEY}` },
      // Both builds see the same prompt sequence (each has its own cache).
      body: () => chat(kind === 'hit' ? 'What is the best way to learn a new language as an adult?' : questions[cursors[name]!++ % questions.length]!),
    });
    const kinds = args.targets!.split(',');
    progress('warm-up');
    for (const name of ['A', 'B']) for (const kind of kinds) await runPaced(target(name, kind), { rate: 50, durationS: 3 });
    const rows: { build: string; kind: string; round: number; cpu: number; sys: number; p50: number; p99: number; rps: number; load: number; stages: Record<string, number> }[] = [];
    const rate = Number(args.rate);
    for (let round_ = 0; round_ < Number(args.rounds); round_++) {
      const order = round_ % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
      for (const kind of kinds)
        for (const name of order) {
          const p = procs[name]!;
          const s0 = await stageCpu(p.url);
          const c0 = cpuMs(p.pid)!;
          const k0 = sysMs(p.pid);
          const r = await runPaced(target(name, kind), { rate, durationS: Number(args.duration), maxInFlight: 256 });
          const c1 = cpuMs(p.pid)!;
          const k1 = sysMs(p.pid);
          const s1 = await stageCpu(p.url);
          const stages: Record<string, number> = {};
          let sum = 0;
          for (const [k, v] of s1) {
            const us = ((v - (s0.get(k) ?? 0)) * 1e6) / r.completed;
            if (us <= 0) continue;
            stages[k] = us;
            sum += us;
          }
          const cpu = (c1 - c0) / r.completed;
          stages.outside_stages = cpu * 1000 - sum;
          rows.push({ build: name, kind, round: round_, cpu, sys: (k1 - k0) / r.completed, p50: r.p50_ms ?? NaN, p99: r.p99_ms ?? NaN, rps: r.achieved_rps ?? 0, load: loadavg()[0]!, stages });
          progress(
            `round ${round_ + 1} ${kind} ${name}: cpu ${cpu.toFixed(3)} ms/req p50 ${r.p50_ms} p99 ${r.p99_ms} rps ${r.achieved_rps} errors ${r.errors} dropped ${r.dropped} load ${loadavg()[0]!.toFixed(2)}`,
          );
          await new Promise((res) => setTimeout(res, 300));
        }
    }
    const summary: Record<string, unknown> = {};
    for (const kind of kinds)
      for (const name of ['A', 'B']) {
        const mine = rows.filter((r) => r.build === name && r.kind === kind);
        const stageNames = [...new Set(mine.flatMap((r) => Object.keys(r.stages)))];
        summary[`${kind}:${name}`] = {
          cpu_ms: round(median(mine.map((r) => r.cpu))),
          cpu_ms_rounds: mine.map((r) => round(r.cpu)),
          sys_ms: round(median(mine.map((r) => r.sys))),
          p50_ms: round(median(mine.map((r) => r.p50))),
          p99_ms: round(median(mine.map((r) => r.p99))),
          rps: round(median(mine.map((r) => r.rps)), 1),
          load_1m: mine.map((r) => round(r.load, 2)),
          stage_cpu_us: Object.fromEntries(stageNames.map((s) => [s, round(median(mine.map((r) => r.stages[s] ?? 0)), 1)])),
        };
      }
    process.stdout.write(`${JSON.stringify({ bench: 'ab-builds', a: args.a, b: args.b, rate, summary })}\n`);
  } finally {
    for (const p of Object.values(procs)) await p.stop();
    await sim.stop();
    for (const prefix of prefixes) await cleanupPrefix(prefix);
  }
}

main().catch((err) => {
  process.stderr.write(`ab-builds failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
