/**
 * Scale: semantic-cache lookup latency and memory as the embedded store grows
 * (scripts/cache/scale.ts, one fresh child process per size), and router
 * decision latency (scripts/routing/bench.ts) plus how it grows with the
 * prompt's length (measured here on the same ComplexityRouter).
 *
 *   npm run bench:scale -- [--sizes 10000,100000] [--full] [--queries 2000] [--cache-repeats 2]
 *                          [--router-repeats 3] [--decisions 5000]
 *
 * --full adds 1,000,000 entries (about 8 minutes to build, so not in the
 * default `npm run bench`). Medians over repeats. Prints one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { benchArgs, commandLine } from './common/cli';
import { mdTable, runHeader, writeSection } from './common/benchmarks-md';
import { dataPaths } from './common/datasets';
import { LoadSampler, machineInfo, progress } from './common/machine';
import { REPO_ROOT } from './common/processes';
import { median, medianOf, percentile, round } from './common/stats';
import { Catalog } from '../../shared/core/catalog/catalog';
import { ComplexityRouter } from '../../shared/levers/routing/router';
import type { ChatRequest } from '../../shared/core/chat-model';

const args = benchArgs({
  sizes: { type: 'string', default: '10000,100000' },
  full: { type: 'boolean', default: false },
  queries: { type: 'string', default: '2000' },
  'cache-repeats': { type: 'string', default: '2' },
  'router-repeats': { type: 'string', default: '3' },
  decisions: { type: 'string', default: '5000' },
});

function runScript(script: string, scriptArgs: string[], timeoutMs: number): Record<string, unknown> {
  const out = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(REPO_ROOT, script), ...scriptArgs], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 24, timeout: timeoutMs });
  if (out.status !== 0) throw new Error(`${script} failed (${out.status ?? out.signal}): ${out.stderr.slice(-2000)}`);
  return JSON.parse(out.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

type CacheRow = {
  entries: number;
  build_s: number;
  index_p50_ms: number;
  index_p99_ms: number;
  stage_p50_ms: number;
  stage_p99_ms: number;
  rss_bytes_per_entry: number;
  snapshot_bytes_per_entry: number;
};

type GrowthRow = { chars: number; p50_ms: number | null; p99_ms: number | null };

interface ScaleResult {
  bench: string;
  date: string;
  machine: ReturnType<typeof machineInfo>;
  load: ReturnType<LoadSampler['stop']>;
  cache: { sizes: number[]; repeats: number; queries: number; rows: CacheRow[] };
  router: Record<string, number>;
  router_growth: GrowthRow[];
  growth_per_10x: { cache_index_p50: number | null; cache_stage_p50: number | null; cache_rss_total: number | null; router_p50: number | null };
  duration_s: number;
}

/** Router decision time by prompt length: the same sentence mix repeated to ~`chars` characters. */
function routerGrowth(): GrowthRow[] {
  const router = ComplexityRouter.load(Catalog.load());
  const sentence = 'The committee reviewed the quarterly figures, noted a 4.5% rise in costs, and asked for a plan to reduce them by 10% before June. ';
  const request = (chars: number): ChatRequest => ({
    model: 'auto',
    system: [],
    messages: [
      { role: 'user', content: [{ type: 'text', text: `${sentence.repeat(Math.max(1, Math.round(chars / sentence.length))).slice(0, chars)}\nSummarize the above and propose three options.` }] },
    ],
    sampling: {},
  });
  const rows = [];
  for (const chars of [100, 1_000, 10_000, 100_000, 1_000_000]) {
    const req = request(chars);
    const iterations = chars >= 1_000_000 ? 30 : chars >= 100_000 ? 200 : 1000;
    for (let i = 0; i < Math.min(50, iterations); i++) router.decide({ request: req, requestedModel: 'auto' });
    const times: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t0 = process.hrtime.bigint();
      router.decide({ request: req, requestedModel: 'auto' });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    rows.push({ chars, p50_ms: round(percentile(times, 50), 4), p99_ms: round(percentile(times, 99), 4) });
  }
  return rows;
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = machineInfo();
  const load = new LoadSampler();
  const paths = dataPaths(args.data!);
  const sizes = [...new Set([...args.sizes!.split(',').map(Number), ...(args.full ? [1_000_000] : [])])].sort((a, b) => a - b);

  const cacheRuns: CacheRow[][] = [];
  for (let r = 0; r < Number(args['cache-repeats']); r++) {
    progress(`cache scale run ${r + 1}: ${sizes.join(', ')} entries`);
    const out = runScript('scripts/cache/scale.ts', ['--sizes', sizes.join(','), '--queries', args.queries!, '--pairs', paths.pairs], 1_800_000);
    cacheRuns.push(out.results as CacheRow[]);
  }
  const cache = sizes.map((size) => medianOf(cacheRuns.map((run) => run.find((row) => row.entries === size)!)));

  const routerRuns: Record<string, number>[] = [];
  for (let r = 0; r < Number(args['router-repeats']); r++) {
    progress(`router bench run ${r + 1}`);
    routerRuns.push(runScript('scripts/routing/bench.ts', ['--decisions', args.decisions!, '--mmlu', paths.mmlu, '--mtbench', paths.mtbench], 300_000) as Record<string, number>);
  }
  const router = medianOf(routerRuns);
  progress('router growth with prompt length');
  const growthRuns = [routerGrowth(), routerGrowth(), routerGrowth()];
  const growth = growthRuns[0].map((row, i) => ({
    chars: row.chars,
    p50_ms: round(median(growthRuns.map((g) => g[i].p50_ms ?? NaN)), 4),
    p99_ms: round(median(growthRuns.map((g) => g[i].p99_ms ?? NaN)), 4),
  }));

  // Growth per 10× input, from the first to the last size measured.
  const factor = (a: number | null, b: number | null, steps: number) => (a && b && steps > 0 ? round((b / a) ** (1 / steps), 2) : null);
  const first = cache[0];
  const last = cache[cache.length - 1];
  const decades = Math.log10(last.entries / first.entries);
  const result: ScaleResult = {
    bench: 'scale',
    date: new Date(started).toISOString(),
    machine,
    load: load.stop(),
    cache: { sizes, repeats: cacheRuns.length, queries: Number(args.queries), rows: cache },
    router: { repeats: routerRuns.length, ...router },
    router_growth: growth,
    growth_per_10x: {
      cache_index_p50: factor(first.index_p50_ms, last.index_p50_ms, decades),
      cache_stage_p50: factor(first.stage_p50_ms, last.stage_p50_ms, decades),
      cache_rss_total: factor(first.rss_bytes_per_entry * first.entries, last.rss_bytes_per_entry * last.entries, decades),
      router_p50: factor(growth[1].p50_ms, growth[growth.length - 1].p50_ms, growth.length - 2),
    },
    duration_s: Math.round((Date.now() - started) / 1000),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (!args['no-write']) writeSection('scale', markdown(result, commandLine('bench:scale')));
}

function markdown(r: ScaleResult, command: string): string {
  return [
    '## Scale (`npm run bench:scale`)',
    '',
    runHeader({ date: r.date, machine: r.machine, command, load: r.load, durationS: r.duration_s }),
    '',
    `Semantic cache, embedded store (hnswlib, 100-d word vectors), one partition filled with N clustered synthetic entries (the worst case: one tenant and scope), fresh process per size (\`scripts/cache/scale.ts\`); ${r.cache.queries} lookups per size; medians of ${r.cache.repeats} runs. "Stage" is the whole cache stage with real question texts (exact-tier GET in Redis, embedding, index search, entry fetch, guards). \`--full\` adds 1,000,000 entries.`,
    '',
    mdTable(
      ['entries', 'build s', 'index p50 ms', 'index p99 ms', 'stage p50 ms', 'stage p99 ms', 'RSS bytes/entry', 'RSS total MB', 'snapshot bytes/entry'],
      r.cache.rows.map((c) => [
        c.entries.toLocaleString('en-US'),
        round(c.build_s, 1),
        c.index_p50_ms,
        c.index_p99_ms,
        c.stage_p50_ms,
        c.stage_p99_ms,
        Math.round(c.rss_bytes_per_entry),
        round((c.rss_bytes_per_entry * c.entries) / 2 ** 20, 0),
        c.snapshot_bytes_per_entry < 0 ? '–' : c.snapshot_bytes_per_entry,
      ]),
    ),
    '',
    `Router (\`scripts/routing/bench.ts\`, ${r.router.decisions} decisions over MMLU, MT-Bench and long generated prompts; medians of ${r.router.repeats} runs): p50 ${r.router.p50_ms} ms, p95 ${r.router.p95_ms} ms, p99 ${r.router.p99_ms} ms, CPU ${r.router.cpu_ms_per_decision} ms/decision, router heap ${r.router.router_heap_mb} MB.`,
    '',
    'Router decision time by prompt length (medians of 3 runs):',
    '',
    mdTable(
      ['prompt chars', 'p50 ms', 'p99 ms'],
      r.router_growth.map((g) => [g.chars.toLocaleString('en-US'), g.p50_ms, g.p99_ms]),
    ),
    '',
    `Growth per 10× input: cache index p50 ×${r.growth_per_10x.cache_index_p50}, cache stage p50 ×${r.growth_per_10x.cache_stage_p50}, cache memory ×${r.growth_per_10x.cache_rss_total} (per 10× entries); router p50 ×${r.growth_per_10x.router_p50} (per 10× prompt length from 1 KB up; long prompts are cut to head and tail).`,
  ].join('\n');
}

main().catch((err) => {
  process.stderr.write(`scale bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
