/**
 * Processing tiers benchmark (issue 16): async jobs with mixed deadlines
 * (30 s … 24 h) through the whole batch path — POST /v1/jobs → router-worker
 * (tier choice) → standard / flex / provider batch → completion — against the
 * provider simulator with flex refusing a share of calls; then the
 * prompt-cache warm-up on a batch of requests sharing a long prefix, with and
 * without the warm-up.
 *
 *   npm run bench:tiers -- [--jobs 240] [--compress 10] [--refuse 0.2] [--warmup-jobs 200] [--prefix-tokens 4000]
 *
 * Time is compressed by --compress (default 10: one real minute is six
 * benchmark seconds): every deadline, the simulator's batch turnaround
 * (p50 2 min, p95 6 min) and flex latency (30 s), and Parsimony's own
 * tier figures (margins, priors, flex timeout, batch wait and polling) are
 * divided by it. Parsimony's own processing (queues, HTTP) is not: the
 * shortest deadlines are harder here than in real time (a 30 s deadline
 * becomes 3 s, on a shared 2-core machine).
 *
 * Prints one JSON line: missed_deadlines, cost_usd, cost_usd_all_eligible_batched
 * (the same jobs and tokens priced as "every job whose deadline allows a batch
 * (≥ 1 h) in a batch, the rest standard"), short_deadline_p50_s (deadlines
 * ≤ 10 min) and batch_turnaround_p50_s (jobs answered by a provider batch:
 * deferral to answer, packing wait included), both median time to answer in
 * benchmark seconds, and warmup { cached_read_share,
 * net_input_cost_usd, net_input_cost_usd_without_warmup }. Runs the
 * services and the simulator in this process; needs Redis; cleans up its keys.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { startSimulator } from '../../infra/simulator/server';
import { startBatchSubmitter, type RunningBatchSubmitter } from '../../services/batch-submitter/batch-submitter';
import { startProducer } from '../../services/producer/start-producer';
import { startRouterWorker } from '../../services/router-worker/router-worker';
import { BatchEnvSchema, CommonEnvSchema, ProducerEnvSchema, WorkerEnvSchema, parseEnv } from '../../shared/platform/config/env';
import { Platform } from '../../shared/runtime/platform';
import { createLogger } from '../../shared/platform/logging/logger';
import { priceUsage } from '../../shared/core/accounting/pricing';
import type { ModelEntry } from '../../shared/core/catalog/catalog';
import { cleanupPrefix, REDIS_URL, REPO_ROOT } from './common/processes';
import { quantile } from '../../shared/levers/batch/tier-stats';
import { mdTable, runHeader, verdict, writeSection } from './common/benchmarks-md';
import { LoadSampler, machineInfo, progress } from './common/machine';
import { commandLine } from './common/cli';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '240' },
    compress: { type: 'string', default: '10' },
    refuse: { type: 'string', default: '0.2' },
    'warmup-jobs': { type: 'string', default: '200' },
    'prefix-tokens': { type: 'string', default: '4000' },
    model: { type: 'string', default: 'gpt-5.4-mini' },
    /** Print the JSON line only; leave BENCHMARKS.md alone. */
    'no-write': { type: 'boolean', default: false },
  },
});
const C = Number(values.compress);
const JOBS = Number(values.jobs);
/** Real-time deadlines of the workload, seconds; a job's class is index % length. */
const DEADLINES = [30, 120, 600, 3600, 6 * 3600, 24 * 3600];
/** Today's batch lever sends an async job to a batch when its deadline is at least an hour away. */
const ELIGIBLE_S = 3600;
const SHORT_S = 600;
const s = (realSeconds: number) => String(realSeconds / C);

interface JobView {
  id: string;
  status: string;
  created_at: string;
  completed_at: string | null;
  deadline: string | null;
  delivered_by: string | null;
  usage: { input_tokens: number; output_tokens: number; cached_input_tokens: number; cache_write_tokens: number } | null;
  cost: { actual_usd: number; overhead_usd: number } | null;
  processing_tier?: { tier: string; ran_on?: string };
  batch?: { warmup?: { shared_prefix_tokens: number } };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const load = new LoadSampler();
  const startedAt = Date.now();
  const silent = new Writable({ write: (_c, _e, done) => done() });
  const sim = await startSimulator({ port: 0, batchSeconds: 300 / C, logger: createLogger({ service: 'simulator', level: 'silent' }) });
  sim.tiers.set({
    seed: 16,
    flex: { refuse_share: Number(values.refuse), latency_ms: (30 / C) * 1000 },
    batch: { openai: { p50_seconds: 120 / C, p95_seconds: 360 / C }, anthropic: { p50_seconds: 120 / C, p95_seconds: 360 / C } },
  });
  const { path: catalogPath, patched } = catalogWithFlex(values.model!);
  const prefix = `bench-tiers-${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    REDIS_URL,
    PARSIMONY_QUEUE_PREFIX: prefix,
    PARSIMONY_API_KEYS: 'acme:k-bench',
    PORT: '0',
    LOG_LEVEL: 'warn',
    PARSIMONY_CACHE: 'off',
    PARSIMONY_CATALOG: catalogPath,
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: `${sim.url}/v1`,
    ANTHROPIC_API_KEY: 'sk-ant-bench',
    ANTHROPIC_BASE_URL: sim.url,
    // Parsimony's figures, compressed like the workload (defaults in real seconds: see shared/levers/batch/tier-config.ts).
    PARSIMONY_TIER_MARGIN_SECONDS: s(300),
    PARSIMONY_TIER_STANDARD_P95_SECONDS: s(60),
    PARSIMONY_TIER_FLEX_P95_SECONDS: s(120),
    PARSIMONY_TIER_FLEX_TIMEOUT_SECONDS: s(600),
    PARSIMONY_TIER_BATCH_P95_SECONDS: s(3000),
    PARSIMONY_BATCH_DEADLINE_MARGIN_SECONDS: s(300),
    PARSIMONY_BATCH_TURNAROUND_SECONDS: s(1800),
    PARSIMONY_BATCH_MAX_WAIT_SECONDS: s(60),
    PARSIMONY_BATCH_FLUSH_INTERVAL_MS: '100',
    PARSIMONY_BATCH_POLL_SECONDS: s(15),
    PARSIMONY_BATCH_POLL_MAX_SECONDS: s(30),
    PARSIMONY_BATCH_LEASE_SECONDS: '5',
  };
  const common = parseEnv(CommonEnvSchema, env);
  const platform = (service: string, role: 'http' | 'worker') => Platform.create({ env: common, service, role, providerEnv: env, logDestination: silent });
  const http = platform('producer', 'http');
  const worker = platform('router-worker', 'worker');
  const batch = platform('batch-submitter', 'worker');
  const routerWorker = startRouterWorker(worker, parseEnv(WorkerEnvSchema, env));
  let submitter: RunningBatchSubmitter = startBatchSubmitter(batch, parseEnv(BatchEnvSchema, env), env);
  const producer = await startProducer(http, parseEnv(ProducerEnvSchema, env));
  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${producer.url}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: 'Bearer k-bench', 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status >= 400) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const model = http.catalog.get(values.model!);

  try {
    // Phase 1: mixed deadlines, submitted in three waves (later waves see the turnaround measured on earlier ones).
    const jobs: { id: string; deadlineS: number }[] = [];
    let rejected = 0;
    for (let wave = 0; wave < 3; wave++) {
      const from = Math.floor((JOBS * wave) / 3);
      const to = Math.floor((JOBS * (wave + 1)) / 3);
      await pool(
        Array.from({ length: to - from }, (_, k) => from + k),
        16,
        async (i) => {
          const deadlineS = DEADLINES[i % DEADLINES.length];
          const body = {
            request: {
              model: model.id,
              messages: [{ role: 'user', content: `Ticket ${i}: classify a ${['refund', 'login', 'billing', 'shipping'][i % 4]} request and give one reason.` }],
              max_tokens: 60,
            },
            latency: 'async',
            deadline: new Date(Date.now() + (deadlineS / C) * 1000).toISOString(),
          };
          try {
            jobs.push({ id: (await api('/v1/jobs', body)).id as string, deadlineS });
          } catch (err) {
            // The deadline passed while the request was in flight (a loaded machine): counted as missed.
            if (!/deadline is in the past/.test((err as Error).message)) throw err;
            rejected += 1;
          }
        },
      );
      if (wave < 2) await sleep((120 / C) * 1000);
    }
    const done = await waitAll(
      api,
      jobs.map((j) => j.id),
      (30 * 3600) / C,
    );
    const byId = new Map(done.map((j) => [j.id, j]));

    let missed = rejected;
    const missedBy: Record<string, number> = {};
    const answerTimes: Record<string, number[]> = {};
    let cost = 0;
    let counterfactual = 0;
    const shortTimes: number[] = [];
    const batchTimes: number[] = [];
    const tiers: Record<string, number> = {};
    for (const { id, deadlineS } of jobs) {
      const j = byId.get(id)!;
      const late = j.status !== 'completed' || !j.completed_at || Date.parse(j.completed_at) > Date.parse(j.deadline!);
      if (late) {
        missed += 1;
        missedBy[`${deadlineS}s`] = (missedBy[`${deadlineS}s`] ?? 0) + 1;
      }
      if (j.completed_at) (answerTimes[`${deadlineS}s`] ??= []).push((Date.parse(j.completed_at) - Date.parse(j.created_at)) / 1000);
      if (!j.usage || !j.cost) continue;
      cost += j.cost.actual_usd;
      counterfactual += priceUsage(model, j.usage, { tier: deadlineS >= ELIGIBLE_S ? 'batch' : 'standard' });
      const tier = j.delivered_by === 'batch' ? 'batch' : j.processing_tier?.ran_on === 'flex' ? 'flex' : j.processing_tier?.tier === 'flex' ? 'flex_fell_back' : 'standard';
      tiers[`${deadlineS}s:${tier}`] = (tiers[`${deadlineS}s:${tier}`] ?? 0) + 1;
      if (j.delivered_by === 'batch') batchTimes.push((Date.parse(j.completed_at!) - Date.parse(j.created_at)) / 1000);
      if (deadlineS <= SHORT_S) shortTimes.push((Date.parse(j.completed_at!) - Date.parse(j.created_at)) / 1000);
    }
    const tierFigures = (await api('/v1/tiers')) as { data: { model: string; batch: Record<string, unknown>; flex: Record<string, unknown> }[] };
    const figures = tierFigures.data.find((d) => d.model === model.id)!;

    // Phase 2: the warm-up, on and off, on fresh prefixes.
    const warm = await warmupRun(api, model, Number(values['warmup-jobs']), Number(values['prefix-tokens']), 'on', sim.url);
    await submitter.close();
    submitter = startBatchSubmitter(batch, parseEnv(BatchEnvSchema, { ...env, PARSIMONY_BATCH_WARMUP: 'off' }), env);
    const cold = await warmupRun(api, model, Number(values['warmup-jobs']), Number(values['prefix-tokens']), 'off', sim.url);

    const result: Result & Record<string, unknown> = {
      bench: 'tiers',
      jobs: JOBS,
      model: model.id,
      catalog_flex_patched: patched,
      time_compression: C,
      deadlines_real_s: DEADLINES,
      flex_refuse_share: Number(values.refuse),
      missed_deadlines: missed,
      rejected_at_intake_deadline_passed: rejected,
      cost_usd: round(cost),
      cost_usd_all_eligible_batched: round(counterfactual),
      short_deadline_p50_s: round(quantile(shortTimes, 0.5), 3),
      batch_turnaround_p50_s: round(quantile(batchTimes, 0.5), 3),
      batch_figures_at_end: figures.batch,
      flex_figures_at_end: figures.flex,
      tiers_by_deadline: tiers,
      missed_by_deadline: missedBy,
      answer_p50_s_by_deadline: Object.fromEntries(Object.entries(answerTimes).map(([k, v]) => [k, round(quantile(v, 0.5), 3)])),
      answer_max_s_by_deadline: Object.fromEntries(Object.entries(answerTimes).map(([k, v]) => [k, round(Math.max(...v), 3)])),
      sim: { flex_calls: sim.stats().flex_calls, flex_refused: sim.stats().flex_refused, batches: sim.stats().batches_created },
      warmup: {
        jobs: warm.jobs,
        shared_prefix_tokens: warm.prefixTokens,
        cached_read_share: warm.cachedShare,
        cached_read_share_without_warmup: cold.cachedShare,
        net_input_cost_usd: warm.netInputUsd,
        net_input_cost_usd_without_warmup: cold.netInputUsd,
        warmup_overhead_usd: warm.overheadUsd,
        provider_batches: warm.batches,
      },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (!values['no-write']) {
      writeSection('tiers', tiersSection(result, { date: new Date().toISOString(), machine, command: commandLine('bench:tiers'), load: load.stop(), durationS: (Date.now() - startedAt) / 1000 }));
      progress('BENCHMARKS.md: tiers section written');
    }
  } finally {
    await producer.close();
    await submitter.close();
    await routerWorker.close();
    await Promise.all([http.close(), worker.close(), batch.close()]);
    await sim.close();
    await cleanupPrefix(prefix);
    rmSync(catalogPath, { force: true });
  }
}

type Result = {
  jobs: number;
  time_compression: number;
  flex_refuse_share: number;
  missed_deadlines: number;
  cost_usd: number;
  cost_usd_all_eligible_batched: number;
  short_deadline_p50_s: number;
  batch_turnaround_p50_s: number;
  catalog_flex_patched: boolean;
  tiers_by_deadline: Record<string, number>;
  warmup: {
    jobs: number;
    shared_prefix_tokens: number;
    cached_read_share: number;
    cached_read_share_without_warmup: number;
    net_input_cost_usd: number;
    net_input_cost_usd_without_warmup: number;
    warmup_overhead_usd: number;
    provider_batches: number;
  };
};

function tiersSection(r: Result, header: Parameters<typeof runHeader>[0]): string {
  const w = r.warmup;
  const ratio = r.batch_turnaround_p50_s > 0 ? r.short_deadline_p50_s / r.batch_turnaround_p50_s : null;
  return [
    '## Processing tiers (`npm run bench:tiers`)',
    '',
    runHeader(header),
    `- **Workload**: ${r.jobs} async jobs, deadlines 30 s / 2 min / 10 min / 1 h / 6 h / 24 h in equal shares, three waves; time compressed ×${r.time_compression} (deadlines, simulator batch turnaround p50 2 min / p95 6 min, flex latency 30 s, Parsimony's tier and batch settings all divided by it; Parsimony's own processing is not). Simulator flex refuses ${Math.round(r.flex_refuse_share * 100)}% of calls.${r.catalog_flex_patched ? ' The catalog had no flex price for the model: the bench gave it flex at 50% off.' : ''}`,
    '',
    mdTable(
      ['target', 'measured', 'verdict'],
      [
        ['0 missed deadlines', r.missed_deadlines, verdict(r.missed_deadlines === 0)],
        ['cost ≤ everything eligible (deadline ≥ 1 h) in a batch', `$${r.cost_usd} vs $${r.cost_usd_all_eligible_batched}`, verdict(r.cost_usd <= r.cost_usd_all_eligible_batched)],
        [
          'short deadlines (≤ 10 min): median time to answer < 1/10 of the batch turnaround',
          `${r.short_deadline_p50_s} s vs ${r.batch_turnaround_p50_s} s (×${r.time_compression} for real time)`,
          verdict(ratio !== null && ratio < 0.1),
        ],
        [
          `warm-up: cached reads ≥ 90% of the shared prefix (${w.jobs} requests, ${w.shared_prefix_tokens} tokens)`,
          `${w.cached_read_share} (without warm-up ${w.cached_read_share_without_warmup})`,
          verdict(w.cached_read_share >= 0.9),
        ],
        [
          'warm-up: net input cost below the same batch without it',
          `$${w.net_input_cost_usd} (warm-up $${w.warmup_overhead_usd} included) vs $${w.net_input_cost_usd_without_warmup}`,
          verdict(w.net_input_cost_usd < w.net_input_cost_usd_without_warmup),
        ],
      ],
    ),
    '',
    `Tiers chosen (deadline:tier): ${Object.entries(r.tiers_by_deadline)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
  ].join('\n');
}

/** `n` batch jobs sharing one system prompt of about `tokens` tokens, answered by provider batches; what their input cost. */
async function warmupRun(api: (path: string, body?: unknown) => Promise<Record<string, unknown>>, model: ModelEntry, n: number, tokens: number, mode: string, simUrl: string) {
  const system = longSystem(tokens, `${mode}-${Date.now()}`);
  const ids: string[] = [];
  await pool(
    Array.from({ length: n }, (_, i) => i),
    32,
    async (i) => {
      ids.push(
        (
          await api('/v1/jobs', {
            request: {
              model: model.id,
              messages: [
                { role: 'system', content: system },
                { role: 'user', content: `Case ${i}: which clause applies to request R-${i}?` },
              ],
              max_tokens: 20,
            },
            latency: 'batch',
          })
        ).id as string,
      );
    },
  );
  const jobs = await waitAll(api, ids, 600);
  // The shareable prefix as the provider counts it: the system message's tokens (a prompt with and without it).
  const count = async (messages: { role: string; content: string }[]) => {
    const res = await fetch(`${simUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk', 'content-type': 'application/json' },
      body: JSON.stringify({ model: model.id, messages, max_completion_tokens: 1, prompt_cache_key: `count-${mode}` }),
    });
    return ((await res.json()) as { usage: { prompt_tokens: number } }).usage.prompt_tokens;
  };
  const prefixTokens =
    (await count([
      { role: 'system', content: system },
      { role: 'user', content: 'x' },
    ])) - (await count([{ role: 'user', content: 'x' }]));
  let cached = 0;
  let inputUsd = 0;
  let overheadUsd = 0;
  const intents = new Set<string>();
  for (const j of jobs) {
    if (!j.usage || !j.cost) continue;
    cached += j.usage.cached_input_tokens;
    inputUsd += priceUsage(model, { ...j.usage, output_tokens: 0 }, { tier: 'batch' });
    overheadUsd += j.cost.overhead_usd;
    const b = j.batch as { intent_id?: string } | undefined;
    if (b?.intent_id) intents.add(b.intent_id);
  }
  return { jobs: jobs.length, prefixTokens, cachedShare: round(cached / (n * prefixTokens), 4), netInputUsd: round(inputUsd + overheadUsd), overheadUsd: round(overheadUsd), batches: intents.size };
}

async function waitAll(api: (path: string) => Promise<Record<string, unknown>>, ids: string[], timeoutS: number): Promise<JobView[]> {
  const until = Date.now() + timeoutS * 1000;
  const done = new Map<string, JobView>();
  while (done.size < ids.length) {
    if (Date.now() > until) throw new Error(`${ids.length - done.size} jobs unfinished after ${timeoutS} s`);
    await pool(
      ids.filter((id) => !done.has(id)),
      16,
      async (id) => {
        const j = (await api(`/v1/jobs/${id}`)) as unknown as JobView;
        if (['completed', 'failed', 'cancelled'].includes(j.status)) done.set(id, j);
      },
    );
    if (done.size < ids.length) await sleep(250);
  }
  return ids.map((id) => done.get(id)!);
}

/** A catalog in which `model` offers flex at 50% off when the shipped catalog has it without (reported as patched). */
function catalogWithFlex(modelId: string): { path: string; patched: boolean } {
  const file = JSON.parse(readFileSync(join(REPO_ROOT, 'shared/core/catalog/models.json'), 'utf8')) as { models: { id: string; flex_discount?: number }[] };
  const entry = file.models.find((m) => m.id === modelId);
  if (!entry) throw new Error(`model ${modelId} is not in the catalog`);
  const patched = entry.flex_discount === undefined;
  if (patched) entry.flex_discount = 0.5;
  const path = join(tmpdir(), `parsimony-bench-tiers-catalog-${process.pid}.json`);
  writeFileSync(path, JSON.stringify(file));
  return { path, patched };
}

/** A policy text of about `tokens` tokens (distinct per `seed`), like a long shared system prompt. */
function longSystem(tokens: number, seed: string): string {
  const words = ['refund', 'policy', 'customer', 'order', 'clause', 'shipping', 'account', 'warranty', 'return', 'invoice', 'billing', 'period', 'days', 'request', 'eligible', 'store'];
  const out: string[] = [`Policy handbook ${seed}.`];
  for (let i = 0; out.length < tokens * 0.85; i++) out.push(words[(i * 7 + (i >> 3)) % words.length] + (i % 13 === 0 ? '.' : ''));
  return out.join(' ');
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 8) => Math.round(x * 10 ** d) / 10 ** d;

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
