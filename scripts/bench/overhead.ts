/**
 * Gateway overhead: the latency Parsimony's fast path adds over calling the
 * provider (simulator) directly, side by side with the Portkey gateway, at
 * fixed request rates. Every process is separate: simulator (0 ms latency),
 * Parsimony (all-in-one build, routing and cache on), Portkey
 * (@portkey-ai/gateway, routed to the simulator by x-portkey-provider /
 * x-portkey-custom-host), and this load generator.
 *
 *   npm run bench:overhead -- [--rates 50,100,200,400] [--duration 4] [--repeats 3] [--budget-ms 10]
 *                             [--ac-duration 2] [--ac-connections 10] [--no-autocannon]
 *
 * Four targets per rate and repeat, in rotating order, seconds apart:
 *  direct (simulator), portkey, parsimony miss (a unique prompt each time,
 *  model "auto": route + cache lookup + provider call + cache store),
 *  parsimony hit (one repeated prompt: served from the exact cache tier),
 *  and the cache miss again on the Responses API and Anthropic Messages
 *  surfaces (same model "auto", same provider call underneath: the extra is
 *  that surface's parsing, mapping and encoding).
 * Added latency = target percentile − direct percentile of the same repeat
 * and rate; the figure is the median over repeats. Load is open loop
 * (common/paced-load.ts); autocannon (overallRate, closed-loop bursts) runs
 * once per point as a cross-check. Prints one JSON line.
 */
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { benchArgs, commandLine, cpuMs } from './common/cli';
import { mdTable, runHeader, verdict, writeSection } from './common/benchmarks-md';
import { dataPaths, distinctQuestions } from './common/datasets';
import { LoadSampler, machineInfo, progress } from './common/machine';
import { runPaced, type LoadTarget, type PacedResult } from './common/paced-load';
import { buildDist, checkRedis, cleanupPrefix, startParsimonyProcess, startPortkeyProcess, startSimulatorProcess, type BenchProcess } from './common/processes';
import { median, percentile, round } from './common/stats';

const args = benchArgs({
  rates: { type: 'string', default: '50,100,200,400' },
  duration: { type: 'string', default: '4' },
  repeats: { type: 'string', default: '3' },
  'budget-ms': { type: 'string', default: '10' },
  'ac-duration': { type: 'string', default: '2' },
  'ac-connections': { type: 'string', default: '10' },
  'no-autocannon': { type: 'boolean', default: false },
});
const RATES = args.rates!.split(',').map(Number);
const DURATION = Number(args.duration);
const REPEATS = Number(args.repeats);
const BUDGET = Number(args['budget-ms']);
const TARGET = { rate: 200, p50_ms: 1, p99_ms: 3 };
const KEY = 'k-bench-overhead';
const TARGETS = ['direct', 'portkey', 'parsimony_miss', 'parsimony_hit', 'parsimony_miss_responses', 'parsimony_miss_messages'] as const;
type TargetName = (typeof TARGETS)[number];

interface Point extends PacedResult {
  target: TargetName;
  repeat: number;
  cpu_ms_per_request: number | null;
  /** Parsimony targets: CPU µs per request per pipeline stage (parsimony_stage_cpu_seconds_total deltas), plus `outside_stages`. */
  stage_cpu_us?: Record<string, number> | null;
  /** Not run: the target was saturated at a lower rate in this repeat. */
  skipped?: boolean;
  /** 1-minute load average right after the point. */
  load_1m?: number;
}

function targets(sim: BenchProcess, parsimony: BenchProcess, portkey: BenchProcess, questions: string[]): Record<TargetName, LoadTarget> {
  // Direct and Portkey see the same prompt sequence; Parsimony's misses never repeat a prompt within the run.
  let missCursor = 0;
  // The other surfaces' misses start elsewhere in the question list, so no surface meets another's cached answer.
  let responsesCursor = Math.floor(questions.length / 3);
  let messagesCursor = Math.floor((2 * questions.length) / 3);
  const chat = (model: string, q: string) => JSON.stringify({ model, messages: [{ role: 'user', content: q }], max_tokens: 64 });
  const hitPrompt = 'What is the best way to learn a new language as an adult?';
  return {
    direct: { url: sim.url, path: '/v1/chat/completions', headers: { authorization: 'Bearer sk-bench' }, body: (i) => chat('gpt-4.1-mini', questions[i % questions.length]) },
    portkey: {
      url: portkey.url,
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer sk-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${sim.url}/v1` },
      body: (i) => chat('gpt-4.1-mini', questions[i % questions.length]),
    },
    parsimony_miss: { url: parsimony.url, path: '/v1/chat/completions', headers: { authorization: `Bearer ${KEY}` }, body: () => chat('auto', questions[missCursor++ % questions.length]) },
    parsimony_hit: { url: parsimony.url, path: '/v1/chat/completions', headers: { authorization: `Bearer ${KEY}` }, body: () => chat('auto', hitPrompt) },
    parsimony_miss_responses: {
      url: parsimony.url,
      path: '/v1/responses',
      headers: { authorization: `Bearer ${KEY}` },
      body: () => JSON.stringify({ model: 'auto', input: questions[responsesCursor++ % questions.length], max_output_tokens: 64, store: false }),
    },
    parsimony_miss_messages: {
      url: parsimony.url,
      path: '/v1/messages',
      headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
      body: () => JSON.stringify({ model: 'auto', max_tokens: 64, messages: [{ role: 'user', content: questions[messagesCursor++ % questions.length] }] }),
    },
  };
}

/** Parsimony's per-stage CPU counters (parsimony_stage_cpu_seconds_total), seconds by stage; null when unreadable. */
async function stageCpuSeconds(url: string): Promise<Map<string, number> | null> {
  try {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    const out = new Map<string, number>();
    for (const m of text.matchAll(/^parsimony_stage_cpu_seconds_total\{stage="([^"]+)"\} (\S+)$/gm)) out.set(m[1]!, Number(m[2]));
    return out;
  } catch {
    return null;
  }
}

/**
 * CPU µs per request per stage over one point, and what the request cost outside the stages (HTTP, auth, surface
 * parsing and encoding, job records, the worker loops: the process's CPU minus the stages'). The counters split
 * CPU equally among the stage runs active at the same time (shared/pipeline/stage-cpu.ts), so they never overlap.
 */
function stageCpuPerRequest(before: Map<string, number> | null, after: Map<string, number> | null, completed: number, cpuMsPerRequest: number | null): Record<string, number> | null {
  if (!before || !after || !completed) return null;
  const out: Record<string, number> = {};
  let sum = 0;
  for (const [stage, seconds] of after) {
    const us = ((seconds - (before.get(stage) ?? 0)) * 1e6) / completed;
    if (us <= 0) continue;
    out[stage] = round(us, 1)!;
    sum += us;
  }
  if (cpuMsPerRequest !== null) out.outside_stages = round(cpuMsPerRequest * 1000 - sum, 1)!;
  return out;
}

/** autocannon at `rate` (overallRate) for the cross-check; latencies taken from each response (sub-ms), not its 1-ms histogram. */
async function autocannonPoint(
  t: LoadTarget,
  rate: number,
  durationS: number,
  connections: number,
): Promise<{ p50_ms: number | null; p99_ms: number | null; achieved_rps: number | null; errors: number }> {
  const times: number[] = [];
  let i = 0;
  const instance = autocannon({
    url: t.url,
    connections,
    overallRate: rate,
    duration: durationS,
    ignoreCoordinatedOmission: true,
    requests: [{ method: 'POST', path: t.path, headers: { ...t.headers, 'content-type': 'application/json' }, setupRequest: (req: autocannon.Request) => ({ ...req, body: t.body(i++) }) }],
  });
  (instance as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status === 200) times.push(ms);
  });
  const result = await instance;
  return { p50_ms: round(percentile(times, 50)), p99_ms: round(percentile(times, 99)), achieved_rps: round(times.length / durationS, 1), errors: result.errors + result.non2xx };
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = machineInfo();
  const load = new LoadSampler();
  await checkRedis();
  buildDist(args['no-build']);
  const questions = distinctQuestions(dataPaths(args.data!).pairs);
  const prefix = `bench-overhead-${process.pid}`;
  const procs: BenchProcess[] = [];
  try {
    const sim = await startSimulatorProcess({ latencyMs: 0 });
    procs.push(sim);
    const parsimony = await startParsimonyProcess({ simUrl: sim.url, prefix, keys: { bench: KEY }, env: { PARSIMONY_CACHE: 'on' } });
    procs.push(parsimony);
    const portkey = await startPortkeyProcess();
    procs.push(portkey);
    const t = targets(sim, parsimony, portkey, questions);
    const pidOf: Record<TargetName, number> = {
      direct: sim.pid,
      portkey: portkey.pid,
      parsimony_miss: parsimony.pid,
      parsimony_hit: parsimony.pid,
      parsimony_miss_responses: parsimony.pid,
      parsimony_miss_messages: parsimony.pid,
    };

    const cacheSeen = { hit: 0, miss: 0, other: 0 };
    progress('warm-up (JIT, connections, cache entry of the hit prompt)');
    const simCalls = async () => ((await (await fetch(`${sim.url}/_sim/stats`)).json()) as { chat_calls: number }).chat_calls;
    let portkeyVerified = false;
    for (const name of TARGETS) {
      const before = name === 'portkey' ? await simCalls() : 0;
      const warm = await runPaced(t[name], { rate: 50, durationS: 2 });
      // Portkey must really forward to the simulator (x-portkey-provider / x-portkey-custom-host), not answer by itself.
      if (name === 'portkey') portkeyVerified = warm.completed > 0 && (await simCalls()) - before >= warm.completed;
    }
    if (!portkeyVerified) throw new Error('Portkey did not forward its requests to the simulator; check x-portkey-custom-host');

    const points: Point[] = [];
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      // A target that cannot keep up at one rate is not tried at higher rates in this repeat: it would only queue
      // up seconds of backlog (and minutes of bench time) to say the same thing.
      const saturated = new Set<TargetName>();
      for (const rate of RATES) {
        const order = TARGETS.map((_, k) => TARGETS[(k + repeat) % TARGETS.length]);
        for (const name of order) {
          if (saturated.has(name)) {
            points.push({
              target: name,
              repeat,
              rate,
              sent: 0,
              completed: 0,
              errors: 0,
              dropped: 0,
              achieved_rps: 0,
              p50_ms: null,
              p90_ms: null,
              p99_ms: null,
              max_ms: null,
              dispatch_lag_p99_ms: null,
              cpu_ms_per_request: null,
              skipped: true,
            });
            continue;
          }
          const isParsimony = name.startsWith('parsimony');
          const stages0 = isParsimony ? await stageCpuSeconds(parsimony.url) : null;
          const cpu0 = cpuMs(pidOf[name]);
          const r = await runPaced(t[name], {
            rate,
            durationS: DURATION,
            maxInFlight: 256,
            onHeaders:
              name === 'parsimony_miss' ? (h) => void (h['x-parsimony-cache'] === 'hit' ? cacheSeen.hit++ : h['x-parsimony-cache'] === 'miss' ? cacheSeen.miss++ : cacheSeen.other++) : undefined,
          });
          const cpu1 = cpuMs(pidOf[name]);
          const cpuPerReq = cpu0 !== null && cpu1 !== null && r.completed ? round((cpu1 - cpu0) / r.completed, 3) : null;
          const stageCpu = isParsimony ? stageCpuPerRequest(stages0, await stageCpuSeconds(parsimony.url), r.completed, cpuPerReq) : null;
          points.push({ ...r, target: name, repeat, cpu_ms_per_request: cpuPerReq, stage_cpu_us: stageCpu, load_1m: loadavg()[0] });
          if (name !== 'direct' && (r.dropped > 0 || (r.achieved_rps ?? 0) < 0.9 * rate || (r.p50_ms ?? 0) > 500)) saturated.add(name);
          progress(
            `repeat ${repeat + 1}/${REPEATS} ${rate} req/s ${name}: p50 ${r.p50_ms} ms p99 ${r.p99_ms} ms achieved ${r.achieved_rps}/s errors ${r.errors} dropped ${r.dropped} cpu/req ${cpuPerReq} ms${saturated.has(name) ? ' (saturated: not tried higher in this repeat)' : ''}`,
          );
          await new Promise((res) => setTimeout(res, 300));
        }
      }
    }

    const autocannonRows: Record<string, unknown>[] = [];
    if (!args['no-autocannon']) {
      for (const rate of RATES)
        for (const name of TARGETS) {
          const r = await autocannonPoint(t[name], rate, Number(args['ac-duration']), Number(args['ac-connections']));
          autocannonRows.push({ target: name, rate, ...r });
          progress(`autocannon ${rate} req/s ${name}: p50 ${r.p50_ms} p99 ${r.p99_ms} achieved ${r.achieved_rps}`);
        }
    }

    // Per rate and target: medians over repeats of the absolute and the added (vs direct, same repeat) percentiles.
    const byRate = RATES.map((rate) => {
      const row: Record<string, unknown> = { rate };
      for (const name of TARGETS) {
        const all = points.filter((p) => p.target === name && p.rate === rate);
        const mine = all.filter((p) => !p.skipped);
        const added = (key: 'p50_ms' | 'p99_ms') =>
          mine.map((p) => {
            const base = points.find((d) => d.target === 'direct' && d.rate === rate && d.repeat === p.repeat)!;
            return (p[key] ?? NaN) - (base[key] ?? NaN);
          });
        row[name] = {
          p50_ms: round(median(mine.map((p) => p.p50_ms ?? NaN))),
          p99_ms: round(median(mine.map((p) => p.p99_ms ?? NaN))),
          added_p50_ms: name === 'direct' ? 0 : round(median(added('p50_ms'))),
          added_p99_ms: name === 'direct' ? 0 : round(median(added('p99_ms'))),
          achieved_rps: mine.length ? round(median(mine.map((p) => p.achieved_rps ?? NaN)), 1) : 0,
          skipped: all.length - mine.length,
          errors: mine.reduce((s, p) => s + p.errors + p.dropped, 0),
          cpu_ms_per_request: round(median(mine.map((p) => p.cpu_ms_per_request ?? NaN))),
          load_1m: round(median(mine.map((p) => p.load_1m ?? NaN)), 2),
          dispatch_lag_p99_ms: round(median(mine.map((p) => p.dispatch_lag_p99_ms ?? NaN))),
          stage_cpu_us_per_request: medianStageCpu(mine),
        };
      }
      return row as RateRow;
    });
    const sustains = (name: TargetName) =>
      byRate
        .filter((r) => r[name].errors === 0 && r[name].skipped === 0 && r[name].achieved_rps >= 0.95 * r.rate && r[name].added_p99_ms !== null && r[name].added_p99_ms <= BUDGET)
        .reduce((m, r) => Math.max(m, r.rate), 0) || null;
    const atTarget = byRate.find((r) => r.rate === TARGET.rate);
    const miss = atTarget?.parsimony_miss;
    const pk = atTarget?.portkey;
    const targetsMet = atTarget
      ? {
          p50: { value: miss!.added_p50_ms, target: TARGET.p50_ms, met: miss!.added_p50_ms <= TARGET.p50_ms },
          p99: { value: miss!.added_p99_ms, target: TARGET.p99_ms, met: miss!.added_p99_ms <= TARGET.p99_ms },
          below_portkey: {
            parsimony: [miss!.added_p50_ms, miss!.added_p99_ms],
            portkey: [pk!.added_p50_ms, pk!.added_p99_ms],
            met: miss!.added_p50_ms < pk!.added_p50_ms && miss!.added_p99_ms < pk!.added_p99_ms,
          },
        }
      : null;
    const loadSummary = load.stop();
    const result = {
      bench: 'overhead',
      date: new Date(started).toISOString(),
      machine,
      load: loadSummary,
      config: { rates: RATES, duration_s: DURATION, repeats: REPEATS, p99_budget_ms: BUDGET, simulator_latency_ms: 0, generator: 'open loop, evenly spaced (common/paced-load.ts)' },
      by_rate: byRate,
      max_rate_within_budget: Object.fromEntries(TARGETS.filter((n) => n !== 'direct').map((n) => [n, sustains(n)])),
      miss_run_cache_headers: cacheSeen,
      portkey_verified: portkeyVerified,
      autocannon: args['no-autocannon'] ? null : { connections: Number(args['ac-connections']), duration_s: Number(args['ac-duration']), points: autocannonRows },
      targets: targetsMet,
      parsimony_rss_mb: parsimony.rssMb(),
      portkey_rss_mb: portkey.rssMb(),
      duration_s: Math.round((Date.now() - started) / 1000),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (!args['no-write']) writeSection('overhead', markdown(result, commandLine('bench:overhead')));
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await cleanupPrefix(prefix);
  }
}

/** One target's medians at one rate. */
interface TargetFigures {
  p50_ms: number;
  p99_ms: number;
  added_p50_ms: number;
  added_p99_ms: number;
  achieved_rps: number;
  skipped: number;
  errors: number;
  cpu_ms_per_request: number | null;
  dispatch_lag_p99_ms: number;
  load_1m: number | null;
  stage_cpu_us_per_request: Record<string, number> | null;
}
type RateRow = { rate: number } & Record<TargetName, TargetFigures>;

type Result = {
  date: string;
  machine: ReturnType<typeof machineInfo>;
  load: { start: number; mean: number; max: number };
  config: { repeats: number; duration_s: number; p99_budget_ms: number };
  by_rate: RateRow[];
  portkey_verified: boolean;
  max_rate_within_budget: Record<string, number | null>;
  miss_run_cache_headers: { hit: number; miss: number; other: number };
  autocannon: { connections: number; points: Record<string, unknown>[] } | null;
  targets: { p50: { value: number; met: boolean }; p99: { value: number; met: boolean }; below_portkey: { parsimony: number[]; portkey: number[]; met: boolean } } | null;
  parsimony_rss_mb: number | null;
  portkey_rss_mb: number | null;
  duration_s: number;
};

/** Median over repeats of each stage's CPU µs per request (stages a repeat did not see count as 0); null without figures. */
function medianStageCpu(points: Point[]): Record<string, number> | null {
  const measured = points.map((p) => p.stage_cpu_us).filter((s): s is Record<string, number> => !!s);
  if (!measured.length) return null;
  const stages = [...new Set(measured.flatMap((s) => Object.keys(s)))];
  return Object.fromEntries(stages.map((stage) => [stage, round(median(measured.map((s) => s[stage] ?? 0)), 1)!]));
}

function markdown(r: Result, command: string): string {
  const label: Record<TargetName, string> = {
    direct: 'simulator direct',
    portkey: 'Portkey gateway',
    parsimony_miss: 'Parsimony, cache miss',
    parsimony_hit: 'Parsimony, cache hit',
    parsimony_miss_responses: 'Parsimony, cache miss, Responses API',
    parsimony_miss_messages: 'Parsimony, cache miss, Anthropic Messages',
  };
  const rows = r.by_rate.flatMap((row) =>
    TARGETS.map((n) =>
      row[n].skipped === r.config.repeats
        ? [row.rate, label[n], 'saturated at a lower rate', null, null, null, null, null, null, null]
        : [
            row.rate,
            label[n],
            row[n].p50_ms,
            row[n].p99_ms,
            n === 'direct' ? '(baseline)' : row[n].added_p50_ms,
            n === 'direct' ? '(baseline)' : row[n].added_p99_ms,
            `${row[n].achieved_rps}${row[n].skipped ? ` (${row[n].skipped} repeat(s) saturated below)` : ''}`,
            row[n].errors,
            row[n].cpu_ms_per_request,
            row[n].load_1m,
          ],
    ),
  );
  const t = r.targets;
  const gap = (v: number, target: number) => `+${round(v - target, 2)} ms`;
  const lines = [
    '## Gateway overhead (`npm run bench:overhead`)',
    '',
    runHeader({ date: r.date, machine: r.machine, command, load: r.load, durationS: r.duration_s }),
    '',
    `Added latency of Parsimony's fast path (routing + cache on, all-in-one build in its own process; chat completions, and the cache miss also on the Responses API and Anthropic Messages surfaces, all \`model: "auto"\` over the same simulator call) and of the Portkey gateway over the simulator called directly (0 ms simulated latency), open-loop load at fixed rates, ${r.config.repeats} repeats × ${r.config.duration_s} s per point, medians over repeats; added = target − direct in the same repeat. CPU/request is the target process's CPU time over the point divided by its requests (10 ms clock ticks); load 1m is the machine's 1-minute load average after the point (median over repeats). Portkey was checked to forward to the simulator (the simulator counted its calls): ${r.portkey_verified ? 'yes' : 'NO'}.`,
    '',
    mdTable(['req/s', 'target', 'p50 ms', 'p99 ms', 'added p50 ms', 'added p99 ms', 'achieved req/s', 'errors', 'CPU ms/req', 'load 1m'], rows),
    '',
    `Highest rate sustained (no errors, ≥ 95% of the rate achieved, added p99 ≤ ${r.config.p99_budget_ms} ms): ${Object.entries(r.max_rate_within_budget)
      .map(([n, v]) => `${label[n as TargetName]} ${v ?? 'none'} req/s`)
      .join(', ')} (of the rates tried).`,
    `Miss runs really missed: ${r.miss_run_cache_headers.miss} misses, ${r.miss_run_cache_headers.hit} hits (semantic hits between distinct questions), ${r.miss_run_cache_headers.other} other. RSS at the end: Parsimony ${r.parsimony_rss_mb} MB, Portkey ${r.portkey_rss_mb} MB.`,
    '',
    mdTable(
      ['target (200 req/s, cache miss)', 'value', 'target', 'verdict'],
      [
        ['added p50', t ? `${t.p50.value} ms` : null, '≤ 1 ms', t ? verdict(t.p50.met, gap(t.p50.value, 1)) : 'not measured'],
        ['added p99', t ? `${t.p99.value} ms` : null, '≤ 3 ms', t ? verdict(t.p99.met, gap(t.p99.value, 3)) : 'not measured'],
        [
          'below Portkey (p50 / p99)',
          t ? `${t.below_portkey.parsimony.join(' / ')} ms vs ${t.below_portkey.portkey.join(' / ')} ms` : null,
          'both lower',
          t ? verdict(t.below_portkey.met) : 'not measured',
        ],
      ],
    ),
  ];
  const stageRows = r.by_rate.flatMap((row) =>
    TARGETS.filter((n) => row[n].stage_cpu_us_per_request).map((n) => {
      const s = row[n].stage_cpu_us_per_request!;
      const order = Object.keys(s).filter((k) => k !== 'outside_stages');
      return [row.rate, label[n], order.map((k) => `${k} ${s[k]}`).join(', '), s.outside_stages ?? null, row[n].cpu_ms_per_request === null ? null : round(row[n].cpu_ms_per_request! * 1000, 0)];
    }),
  );
  if (stageRows.length)
    lines.push(
      '',
      'CPU µs per request per pipeline stage (medians over repeats; `parsimony_stage_cpu_seconds_total` deltas over the point ÷ requests; `<stage>:after_complete` is its after-completion hook, e.g. the cache write). The counters split the process CPU equally among the stage runs active at the same time (`shared/pipeline/stage-cpu.ts`: exact one request at a time, an approximation of who used it under concurrency, never counted twice); "outside stages" is the process CPU per request (10 ms clock ticks) minus the stages\' sum: HTTP, auth, surface parsing and encoding, job records, worker loops:',
      '',
      mdTable(['req/s', 'target', 'stages (µs/request)', 'outside stages µs', 'process CPU µs/req'], stageRows),
    );
  if (r.autocannon) {
    lines.push(
      '',
      `autocannon cross-check (\`overallRate\`, ${r.autocannon.connections} connections, one run per point). autocannon paces per connection per second (each connection sends its quota back to back at the top of every second), so these are latencies of ${r.autocannon.connections}-way bursts, not of evenly spaced requests:`,
      '',
      mdTable(
        ['req/s', 'target', 'p50 ms', 'p99 ms', 'achieved req/s', 'errors'],
        r.autocannon.points.map((p) => [p.rate as number, label[p.target as TargetName], p.p50_ms as number, p.p99_ms as number, p.achieved_rps as number, p.errors as number]),
      ),
    );
  }
  return lines.join('\n');
}

main().catch((err) => {
  process.stderr.write(`overhead bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
