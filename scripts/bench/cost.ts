/**
 * Cost waterfall on a reference workload (see cost-workload.ts for what it
 * is made of), sent through Parsimony's real HTTP API (openai SDK, Batch API
 * for the nightly share) to the simulator, priced by the catalog, read back
 * from GET /v1/savings. Runs the configured mix and, for comparison, preset
 * mixes, each in a fresh Parsimony; measures the quality proxies on the same
 * run: cache precision / false hits (pair labels), routed accuracy on MMLU
 * replay prompts vs all-frontier (weak_correct for small/mid, strong_correct
 * for frontier), compaction fact retention (scripts/context/eval.ts on the
 * agent traces, same simulator).
 *
 *   npm run bench:cost -- [--n 600] [--faq-share 0.35] [--agent-share 0.25] [--batch-share 0.15]
 *                         [--faq-repeat 0.3] [--faq-variant 0.3] [--seed 42] [--replay-n 1200]
 *                         [--mixes faq-heavy,agent-heavy] [--concurrency 6] [--batch-seconds 2]
 *                         [--data ../shared/data]
 *
 * The tasks share is what the others leave. Prints one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { benchArgs, commandLine } from './common/cli';
import { mdTable, runHeader, verdict, writeSection } from './common/benchmarks-md';
import { dataPaths } from './common/datasets';
import { LoadSampler, machineInfo, progress } from './common/machine';
import { buildDist, checkRedis, REPO_ROOT, startSimulatorProcess } from './common/processes';
import { round } from './common/stats';
import { runMix, type MixRun, type Savings, type Served } from './cost-run';
import { buildWorkload, TASK_MIX, type WorkloadMix } from './cost-workload';
import { isValidationDomain } from '../routing/datasets';

const args = benchArgs({
  n: { type: 'string', default: '600' },
  'faq-share': { type: 'string', default: '0.35' },
  'agent-share': { type: 'string', default: '0.25' },
  'batch-share': { type: 'string', default: '0.15' },
  'faq-repeat': { type: 'string', default: '0.3' },
  'faq-variant': { type: 'string', default: '0.3' },
  seed: { type: 'string', default: '42' },
  'replay-n': { type: 'string', default: '1200' },
  mixes: { type: 'string', default: 'faq-heavy,agent-heavy' },
  concurrency: { type: 'string', default: '6' },
  'batch-seconds': { type: 'string', default: '2' },
});
const TARGETS = { saved_pct: 80, cache_precision: 0.97, accuracy_gap_points: 1 };
const PRESETS: Record<string, Partial<WorkloadMix>> = {
  'faq-heavy': { faqShare: 0.6, agentShare: 0.1, batchShare: 0.1 },
  'agent-heavy': { faqShare: 0.1, agentShare: 0.5, batchShare: 0.1 },
  'batch-heavy': { faqShare: 0.2, agentShare: 0.1, batchShare: 0.5 },
  'no-batch': { batchShare: 0 },
};
const SEGMENTS = ['faq', 'agent', 'agent_responses', 'agent_messages', 'tasks', 'nightly'] as const;
const LEVERS = ['routing', 'cache', 'context', 'compression', 'prompt_cache', 'batch'] as const;

function waterfall(run: MixRun) {
  const sum = (f: (s: Savings) => number) => SEGMENTS.reduce((acc, seg) => acc + f(run.savings[seg]), 0);
  const baseline = sum((s) => s.baseline_usd);
  const actual = sum((s) => s.actual_usd);
  const byLever = Object.fromEntries(
    LEVERS.map((l) => [
      l,
      round(
        sum((s) => s.by_lever[l] ?? 0),
        6,
      ),
    ]),
  );
  const requests = sum((s) => s.requests);
  return {
    baseline_usd: round(baseline, 6),
    actual_usd: round(actual, 6),
    saved_usd: round(baseline - actual, 6),
    saved_pct: round(((baseline - actual) / baseline) * 100, 2),
    by_lever_usd: byLever,
    by_lever_pct_of_baseline: Object.fromEntries(LEVERS.map((l) => [l, round(((byLever[l] ?? 0) / baseline) * 100, 2)])),
    overhead_usd: round(
      sum((s) => s.overhead_usd),
      6,
    ),
    requests,
    cache_hit_rate: round(sum((s) => s.cache_hit_rate * s.requests) / requests, 4),
    batch_share: round(sum((s) => s.batch_share * s.requests) / requests, 4),
    routing_mix: { small: sum((s) => s.routing_mix.small ?? 0), mid: sum((s) => s.routing_mix.mid ?? 0), frontier: sum((s) => s.routing_mix.frontier ?? 0) },
    segments: Object.fromEntries(
      SEGMENTS.map((seg) => [
        seg,
        {
          requests: run.savings[seg].requests,
          baseline_usd: round(run.savings[seg].baseline_usd, 6),
          actual_usd: round(run.savings[seg].actual_usd, 6),
          saved_pct: run.savings[seg].baseline_usd ? round((1 - run.savings[seg].actual_usd / run.savings[seg].baseline_usd) * 100, 2) : null,
          by_lever_usd: run.savings[seg].by_lever,
          routing_mix: run.savings[seg].routing_mix,
          cache_hit_rate: run.savings[seg].cache_hit_rate,
        },
      ]),
    ),
  };
}

function cacheQuality(run: MixRun) {
  const hit = (s: Served) => s.cache === 'hit';
  const variants = run.faq.filter((f) => f.item.phase === 'variant' && f.served.ok);
  const trueHits = variants.filter((f) => hit(f.served) && f.item.same).length;
  const falseHits = variants.filter((f) => hit(f.served) && !f.item.same).length;
  const repeats = run.faq.filter((f) => f.item.phase === 'repeat' && f.served.ok);
  const firsts = run.faq.filter((f) => f.item.phase === 'first' && f.served.ok);
  const sameLookups = variants.filter((f) => f.item.same).length;
  // The cache scope includes the routed tier: a paraphrase routed to another tier than its original cannot hit it.
  const tierOfFirst = new Map(firsts.map((f) => [f.item.pair, f.served.tier]));
  const sameTier = variants.filter((f) => f.item.same && tierOfFirst.get(f.item.pair) === f.served.tier);
  const differentLookups = variants.length - sameLookups;
  return {
    variant_lookups: variants.length,
    true_hits: trueHits,
    false_hits: falseHits,
    precision: trueHits + falseHits ? round(trueHits / (trueHits + falseHits), 4) : null,
    false_hit_rate: trueHits + falseHits ? round(falseHits / (trueHits + falseHits), 4) : null,
    false_hits_per_different_question: differentLookups ? round(falseHits / differentLookups, 4) : null,
    paraphrase_recall: sameLookups ? round(trueHits / sameLookups, 4) : null,
    paraphrases_routed_like_original: sameTier.length,
    paraphrase_recall_same_tier: sameTier.length ? round(sameTier.filter((f) => hit(f.served)).length / sameTier.length, 4) : null,
    repeat_hit_rate: repeats.length ? round(repeats.filter((f) => hit(f.served)).length / repeats.length, 4) : null,
    // A first ask served from cache matched another question: unlabelled, either a paraphrase or a false hit.
    first_ask_hits: firsts.filter((f) => hit(f.served)).length,
  };
}

function routingQuality(run: MixRun) {
  const rows = [...run.tasks.filter((t) => t.item.replay), ...run.replay].filter((r) => r.served.ok);
  const score = (subset: typeof rows) => {
    if (!subset.length) return null;
    let routed = 0;
    let frontier = 0;
    let weak = 0;
    let toFrontier = 0;
    let cacheHits = 0;
    for (const r of subset) {
      const rp = r.item.replay!;
      frontier += Number(rp.strong);
      weak += Number(rp.weak);
      if (r.served.cache === 'hit') cacheHits++;
      else if (r.served.tier === 'frontier') {
        routed += Number(rp.strong);
        toFrontier++;
      } else routed += Number(rp.weak);
    }
    const n = subset.length;
    const acc = routed / n;
    return {
      n,
      routed_accuracy: round(acc * 100, 2),
      all_frontier_accuracy: round((frontier / n) * 100, 2),
      all_weak_accuracy: round((weak / n) * 100, 2),
      gap_points: round(((frontier - routed) / n) * 100, 2),
      frontier_share: round(toFrontier / n, 4),
      cache_hits_counted_wrong: cacheHits,
      std_error_points: round(Math.sqrt((acc * (1 - acc)) / n) * 100, 2),
    };
  };
  return { all: score(rows), validation_domains: score(rows.filter((r) => isValidationDomain(r.item.replay!.domain))) };
}

/** The last JSON line scripts/context/eval.ts prints (the fields read here). */
interface ContextEvalOutput {
  strategy: string;
  window: number;
  keep: number;
  fact_retention: number;
  facts_checked: number;
  net_reduction: number;
  long_runs?: { fact_retention: number; net_reduction: number };
}

interface FactRetention {
  error?: string;
  strategy?: string;
  window?: number;
  keep?: number;
  fact_retention?: number;
  facts_checked?: number;
  net_reduction?: number;
  long_runs_fact_retention?: number;
  long_runs_net_reduction?: number;
}

type MixResult = ReturnType<typeof waterfall> & {
  mix: string;
  shares: { faq: number; agent: number; batch: number; tasks: number | null };
  counts: ReturnType<typeof buildWorkload>['counts'];
  cache_quality: ReturnType<typeof cacheQuality>;
  routing_quality: ReturnType<typeof routingQuality>;
  nightly_batch: MixRun['batch'];
  errors: number;
  seconds: number;
};

interface Target<V> {
  value: V;
  target: number;
  met: boolean | null;
}

interface CostResult {
  bench: string;
  date: string;
  machine: ReturnType<typeof machineInfo>;
  load: ReturnType<LoadSampler['stop']>;
  config: WorkloadMix & { task_mix: typeof TASK_MIX; replay_n: number; simulator_batch_seconds: number; data: typeof args.data };
  mixes: MixResult[];
  fact_retention: FactRetention;
  targets: {
    saved_pct: Target<number | null>;
    cache_precision: Target<number | null>;
    routed_accuracy_gap_points: Target<number | null>;
    routed_accuracy_gap_points_heldout: Target<number | null>;
  };
  duration_s: number;
}

function factRetention(tracesPath: string, simUrl: string): FactRetention {
  const out = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/context/eval.ts'), '--traces', tracesPath, '--base-url', `${simUrl}/v1`], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    timeout: 300_000,
  });
  if (out.status !== 0) return { error: out.stderr.slice(-500) };
  const r = JSON.parse(out.stdout.trim().split('\n').pop()!) as ContextEvalOutput;
  return {
    strategy: r.strategy,
    window: r.window,
    keep: r.keep,
    fact_retention: r.fact_retention,
    facts_checked: r.facts_checked,
    net_reduction: r.net_reduction,
    long_runs_fact_retention: r.long_runs?.fact_retention,
    long_runs_net_reduction: r.long_runs?.net_reduction,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = machineInfo();
  const load = new LoadSampler();
  await checkRedis();
  buildDist(args['no-build']);
  const paths = dataPaths(args.data!);
  const base: WorkloadMix = {
    n: Number(args.n),
    faqShare: Number(args['faq-share']),
    agentShare: Number(args['agent-share']),
    batchShare: Number(args['batch-share']),
    faqRepeat: Number(args['faq-repeat']),
    faqVariant: Number(args['faq-variant']),
    seed: Number(args.seed),
  };
  if (base.faqShare + base.agentShare + base.batchShare > 1) throw new Error('--faq-share + --agent-share + --batch-share must be ≤ 1');
  const mixes: [string, WorkloadMix][] = [['reference', base]];
  for (const name of args.mixes!.split(',').filter(Boolean)) {
    if (!PRESETS[name]) throw new Error(`unknown mix ${name}; presets: ${Object.keys(PRESETS).join(', ')}`);
    mixes.push([name, { ...base, ...PRESETS[name] }]);
  }
  const sim = await startSimulatorProcess({ latencyMs: 0, batchSeconds: Number(args['batch-seconds']) });
  try {
    const results: MixResult[] = [];
    for (const [label, mix] of mixes) {
      const workload = buildWorkload(args.data!, mix);
      const run = await runMix(workload, { simUrl: sim.url, dataDir: args.data!, replayN: label === 'reference' ? Number(args['replay-n']) : 0, concurrency: Number(args.concurrency), label });
      const w = waterfall(run);
      progress(`${label}: saved ${w.saved_pct}% of $${w.baseline_usd} over ${w.requests} requests (${run.errors} errors, ${run.seconds} s)`);
      results.push({
        mix: label,
        shares: { faq: mix.faqShare, agent: mix.agentShare, batch: mix.batchShare, tasks: round(1 - mix.faqShare - mix.agentShare - mix.batchShare, 2) },
        counts: workload.counts,
        ...w,
        cache_quality: cacheQuality(run),
        routing_quality: routingQuality(run),
        nightly_batch: run.batch,
        errors: run.errors,
        seconds: run.seconds,
      });
    }
    progress('compaction fact retention (scripts/context/eval.ts on the agent traces, same simulator)');
    const facts = factRetention(paths.traces, sim.url);
    const ref = results[0];
    const rq = ref.routing_quality.all;
    const rqv = ref.routing_quality.validation_domains;
    const result: CostResult = {
      bench: 'cost',
      date: new Date(started).toISOString(),
      machine,
      load: load.stop(),
      config: { ...base, task_mix: TASK_MIX, replay_n: Number(args['replay-n']), simulator_batch_seconds: Number(args['batch-seconds']), data: args.data },
      mixes: results,
      fact_retention: facts,
      targets: {
        saved_pct: { value: ref.saved_pct, target: TARGETS.saved_pct, met: (ref.saved_pct ?? 0) >= TARGETS.saved_pct },
        cache_precision: {
          value: ref.cache_quality.precision,
          target: TARGETS.cache_precision,
          met: ref.cache_quality.precision === null ? null : ref.cache_quality.precision >= TARGETS.cache_precision,
        },
        routed_accuracy_gap_points: { value: rq?.gap_points ?? null, target: TARGETS.accuracy_gap_points, met: rq ? (rq.gap_points ?? Infinity) <= TARGETS.accuracy_gap_points : null },
        // The router was trained on the other MMLU domains: the held-out domains are the out-of-sample reading.
        routed_accuracy_gap_points_heldout: { value: rqv?.gap_points ?? null, target: TARGETS.accuracy_gap_points, met: rqv ? (rqv.gap_points ?? Infinity) <= TARGETS.accuracy_gap_points : null },
      },
      duration_s: Math.round((Date.now() - started) / 1000),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (!args['no-write']) writeSection('cost', markdown(result, commandLine('bench:cost')));
  } finally {
    await sim.stop();
  }
}

function markdown(r: CostResult, command: string): string {
  const ref = r.mixes[0];
  const usd = (x: number | null) => `$${x!.toFixed(4)}`;
  const t = r.targets;
  const rq = ref.routing_quality;
  const cq = ref.cache_quality;
  const gapText = (v: number | null) => (v === null ? null : v < 0 ? `${round(-v, 2)} points above` : `${v} points below`);
  return [
    '## Cost waterfall (`npm run bench:cost`)',
    '',
    runHeader({ date: r.date, machine: r.machine, command, load: r.load, durationS: r.duration_s }),
    '',
    `Reference workload (seed ${r.config.seed}, ${r.config.n} requests, built from the dev data by \`scripts/bench/cost-workload.ts\`): FAQ traffic ${ref.shares.faq * 100}% (first asks, then ${r.config.faqRepeat * 100}% exact repeats and ${r.config.faqVariant * 100}% variants — paraphrases or hard negatives from the cache pairs), agent chains ${ref.shares.agent * 100}% (every turn of τ-bench airline runs with the run's tools offered; chains take turns between chat completions, the Responses API and Anthropic Messages, each sent with its official SDK by its own tenant: segments agent, agent_responses, agent_messages), nightly Batch API share ${ref.shares.batch * 100}% (classification / extraction / summarisation lines via \`POST /v1/files\` + \`/v1/batches\`), interactive task mix ${(ref.shares.tasks ?? 0) * 100}% (${Object.entries(
      r.config.task_mix,
    )
      .map(([k, v]) => `${k} ${Math.round((v as number) * 100)}%`)
      .join(
        ', ',
      )}). Every request \`model: "auto"\`, no hints, sent with the official SDKs to Parsimony (all-in-one build, own process) and the simulator (own process, batches take ${r.config.simulator_batch_seconds} s); costs are the catalog prices read back from \`GET /v1/savings\` (baseline = every request as sent, on the default frontier model, synchronous). The cost figures are deterministic for a seed (one run per mix); the quality proxies are measured on the same run.`,
    '',
    mdTable(
      ['mix (faq/agent/batch/tasks)', 'requests', 'baseline', 'actual', 'saved', ...LEVERS.map((l) => `${l}`), 'overhead', 'cache hit rate', 'batch share', 'small/mid/frontier'],
      r.mixes.map((m) => [
        `${m.mix} (${m.shares.faq}/${m.shares.agent}/${m.shares.batch}/${m.shares.tasks})`,
        m.requests,
        usd(m.baseline_usd),
        usd(m.actual_usd),
        `**${m.saved_pct}%**`,
        ...LEVERS.map((l) => `${m.by_lever_pct_of_baseline[l]}%`),
        usd(m.overhead_usd),
        m.cache_hit_rate,
        m.batch_share,
        `${m.routing_mix.small}/${m.routing_mix.mid}/${m.routing_mix.frontier}`,
      ]),
    ),
    '',
    "Lever columns: each lever's saving as a share of the baseline (they add up to the saving, less the overhead the levers spent: embeddings, summaries). Per segment (reference mix):",
    '',
    mdTable(
      ['segment', 'requests', 'baseline', 'actual', 'saved', 'largest lever', 'cache hit rate', 'small/mid/frontier'],
      Object.entries(ref.segments).map(([k, s]) => {
        const [lever, amount] = Object.entries(s.by_lever_usd as Record<string, number>).sort((a, b) => b[1] - a[1])[0] ?? ['–', 0];
        return [
          k,
          s.requests,
          usd(s.baseline_usd),
          usd(s.actual_usd),
          `${s.saved_pct}%`,
          `${lever} (${round((amount / (s.baseline_usd ?? 0)) * 100, 1)}%)`,
          s.cache_hit_rate,
          `${s.routing_mix.small ?? 0}/${s.routing_mix.mid ?? 0}/${s.routing_mix.frontier ?? 0}`,
        ];
      }),
    ),
    '',
    `Nightly batch: ${ref.nightly_batch.status} in ${ref.nightly_batch.seconds} s (${JSON.stringify(ref.nightly_batch.request_counts)}). Errors: ${r.mixes.map((m) => `${m.mix} ${m.errors}`).join(', ')}.`,
    '',
    'Quality proxies (reference mix, same run):',
    '',
    `- Cache: ${cq.variant_lookups} variant lookups → ${cq.true_hits} true hits, ${cq.false_hits} false hits (hit on a pair labelled not-same): precision ${cq.precision}, false-hit rate ${cq.false_hit_rate}; paraphrase recall ${cq.paraphrase_recall} (${cq.paraphrases_routed_like_original} of the paraphrases were routed to the same tier as their original — the cache scope includes the tier — and of those ${cq.paraphrase_recall_same_tier} hit); exact repeats hit ${cq.repeat_hit_rate}; first asks served from another question's entry: ${cq.first_ask_hits}.`,
    rq.all
      ? `- Routing on MMLU replay prompts (${rq.all.n}: the workload's plus a ${r.config.replay_n}-prompt sample on its own tenant): routed accuracy ${rq.all.routed_accuracy}% vs all-frontier ${rq.all.all_frontier_accuracy}% (all-weak ${rq.all.all_weak_accuracy}%), gap ${rq.all.gap_points} points ± ${rq.all.std_error_points}, ${Math.round((rq.all.frontier_share ?? 0) * 100)}% sent to the frontier; held-out domains only (${rq.validation_domains?.n}): ${rq.validation_domains?.routed_accuracy}% vs ${rq.validation_domains?.all_frontier_accuracy}% (gap ${rq.validation_domains?.gap_points}).`
      : '- Routing: no replay prompts.',
    `- Compaction (\`scripts/context/eval.ts\` on the agent traces, summaries by the same simulator): fact retention ${r.fact_retention.fact_retention} over ${r.fact_retention.facts_checked} facts (long runs ${r.fact_retention.long_runs_fact_retention}), net input reduction ${r.fact_retention.net_reduction} (long runs ${r.fact_retention.long_runs_net_reduction}).`,
    '',
    mdTable(
      ['target (reference mix)', 'value', 'target', 'verdict'],
      [
        ['saved', `${t.saved_pct.value}%`, '≥ 80%', verdict(t.saved_pct.met, `${round(80 - (t.saved_pct.value ?? 0), 2)} points`)],
        ['cache precision', t.cache_precision.value, '≥ 0.97', verdict(t.cache_precision.met, t.cache_precision.value !== null ? `${round(0.97 - t.cache_precision.value, 4)}` : undefined)],
        [
          'routed accuracy vs all-frontier (all replay prompts)',
          gapText(t.routed_accuracy_gap_points.value),
          '≤ 1 point below',
          verdict(t.routed_accuracy_gap_points.met, t.routed_accuracy_gap_points.value !== null ? `${round(t.routed_accuracy_gap_points.value - 1, 2)} points` : undefined),
        ],
        [
          '… held-out MMLU domains only (router never trained on them)',
          gapText(t.routed_accuracy_gap_points_heldout.value),
          '≤ 1 point below',
          verdict(t.routed_accuracy_gap_points_heldout.met, t.routed_accuracy_gap_points_heldout.value !== null ? `${round(t.routed_accuracy_gap_points_heldout.value - 1, 2)} points` : undefined),
        ],
      ],
    ),
  ].join('\n');
}

main().catch((err) => {
  process.stderr.write(`cost bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
