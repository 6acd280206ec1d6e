/**
 * Decision latency and memory of the router (a benchmark, not a test).
 *   npx tsx scripts/routing/bench.ts [--decisions 5000] [--mmlu FILE] [--encoder embedded|off]
 * Prints one JSON line { decisions, p50_ms, p95_ms, p99_ms, cpu_p50_ms, cpu_p99_ms, cpu_ms_per_decision, load_avg_1m, max_ms, rss_mb, heap_mb, router_heap_mb }.
 * Wall-clock percentiles include preemption by other processes: load_avg_1m says how busy the machine was.
 * cpu_p50_ms / cpu_p99_ms are percentiles of the process CPU time each decision took (process.cpuUsage around
 * it, microsecond resolution): time the process was not running does not count, so on a shared machine they
 * say what the decision costs while the wall-clock p99 says what a caller waited.
 * Prompts: MMLU dev prompts and MT-Bench conversations when the data files
 * exist, plus generated long prompts (20-60 KB) so the head/tail cut is exercised.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Catalog } from '../../shared/core/catalog/catalog';
import type { ChatRequest } from '../../shared/core/chat-model';
import { ComplexityRouter } from '../../shared/levers/routing/router';
import { readJsonl, ReplayRowSchema, requestFromPrompt, requestFromTurns, TaskRowSchema } from './datasets';
import { encoderForTraining } from './training-encoder';

const { values } = parseArgs({
  options: {
    decisions: { type: 'string', default: '5000' },
    mmlu: { type: 'string', default: '/work/shared/data/routing-mmlu-dev.jsonl' },
    mtbench: { type: 'string', default: '/work/shared/data/tasks-mtbench.jsonl' },
    encoder: { type: 'string', default: 'embedded' },
  },
});
const n = Number(values.decisions);
const requests: ChatRequest[] = [];
if (existsSync(values.mmlu!))
  requests.push(
    ...readJsonl(values.mmlu!, ReplayRowSchema)
      .slice(0, 2000)
      .map((r) => requestFromPrompt(r.prompt)),
  );
if (existsSync(values.mtbench!)) requests.push(...readJsonl(values.mtbench!, TaskRowSchema).map((r) => requestFromTurns(r.turns!, r.turns!.length - 1)));
const paragraph = 'The committee reviewed the quarterly figures, noted a 4.5% rise in costs, and asked for a plan to reduce them by 10% before June. ';
for (let i = 0; i < 20; i++) requests.push(requestFromPrompt(`${paragraph.repeat(150 + i * 15)}\nSummarize the above and propose three options.`));

global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
// The encoder (embedding each prompt for the out-of-distribution check) is part of every decision it is loaded for.
const router = ComplexityRouter.load(Catalog.load(), { encoder: values.encoder === 'off' ? undefined : encoderForTraining() });
global.gc?.();
const routerHeap = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;

// Warm up the JIT, then time each decision.
for (let i = 0; i < 500; i++) router.decide({ request: requests[i % requests.length], requestedModel: 'auto' });
const times: number[] = [];
const cpuTimes: number[] = [];
const cpu0 = process.cpuUsage();
for (let i = 0; i < n; i++) {
  const request = requests[(i * 7919) % requests.length];
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  router.decide({ request, requestedModel: 'auto' });
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  const c = process.cpuUsage(c0);
  cpuTimes.push((c.user + c.system) / 1000);
}
const cpu = process.cpuUsage(cpu0);
times.sort((a, b) => a - b);
cpuTimes.sort((a, b) => a - b);
const at = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const pct = (p: number) => at(times, p);
const mem = process.memoryUsage();
const r3 = (x: number) => Math.round(x * 1000) / 1000;
process.stdout.write(
  `${JSON.stringify({ decisions: n, encoder: router.usesEncoder, prompts: requests.length, p50_ms: r3(pct(0.5)), p95_ms: r3(pct(0.95)), p99_ms: r3(pct(0.99)), cpu_p50_ms: r3(at(cpuTimes, 0.5)), cpu_p99_ms: r3(at(cpuTimes, 0.99)), cpu_ms_per_decision: r3((cpu.user + cpu.system) / 1000 / n), load_avg_1m: r3(loadavg()[0]), max_ms: r3(times[times.length - 1]), rss_mb: Math.round(mem.rss / 2 ** 20), heap_mb: Math.round(mem.heapUsed / 2 ** 20), router_heap_mb: r3(routerHeap) })}\n`,
);
