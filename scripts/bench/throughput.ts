/**
 * Throughput: async jobs per second end to end (POST /v1/jobs → every job
 * finished), with the simulator at 0 ms and at 50 ms latency, and the
 * 100,000-line nightly batch intake (scripts/bench/batch-intake.ts: accept,
 * validate and pack; time and the producer's peak RSS).
 *
 *   npm run bench:throughput -- [--jobs 2000] [--repeats 3] [--latencies 0,50] [--concurrency 32]
 *                               [--submitters 32] [--intake-lines 100000] [--intake-repeats 2]
 *                               [--intake-heap 256] [--no-intake] [--batch-path-jobs 2000] [--batch-path-repeats 2]
 *                               [--no-batch-path] [--workers N]
 *
 * Each latency gets a fresh simulator and Parsimony (all-in-one build, own
 * processes, fresh Redis prefix). Jobs carry distinct prompts (cache misses),
 * model "auto", latency "async" without deadline (so they run now rather than
 * in a provider batch). Completion is counted from Parsimony's /metrics
 * (parsimony_jobs_finished_total: completed + failed), polled every 200 ms.
 * --concurrency is PARSIMONY_WORKER_CONCURRENCY (jobs one router-worker runs
 * at once; the product default is 32). --workers is PARSIMONY_WORKERS (pipeline
 * workers of the all-in-one: the main process's plus child processes; default
 * the product's, cores − 1); the CPU figure includes the children. Also runs scripts/bench/batch-path.ts
 * (owned by the batch lever work: latency "batch" jobs through the batch lever
 * to provider batches and back, services in its own process). Prints one JSON line.
 */
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { benchArgs, commandLine, treeCpuMs } from './common/cli';
import { mdTable, runHeader, verdict, writeSection } from './common/benchmarks-md';
import { dataPaths, distinctQuestions } from './common/datasets';
import { LoadSampler, machineInfo, progress } from './common/machine';
import { buildDist, checkRedis, cleanupPrefix, startParsimonyProcess, startSimulatorProcess } from './common/processes';
import { batchPathRun, intakeRun, intakeSummary } from './throughput-children';
import { median, round } from './common/stats';

const args = benchArgs({
  jobs: { type: 'string', default: '2000' },
  repeats: { type: 'string', default: '3' },
  latencies: { type: 'string', default: '0,50' },
  concurrency: { type: 'string', default: '32' },
  workers: { type: 'string' },
  submitters: { type: 'string', default: '32' },
  'intake-lines': { type: 'string', default: '100000' },
  'intake-repeats': { type: 'string', default: '2' },
  'intake-heap': { type: 'string', default: '256' },
  'no-intake': { type: 'boolean', default: false },
  'batch-path-jobs': { type: 'string', default: '2000' },
  'batch-path-repeats': { type: 'string', default: '2' },
  'no-batch-path': { type: 'boolean', default: false },
});
const TARGETS = { jobs_per_second: 1000, intake_seconds: 30, intake_peak_rss_mb: 300 };
const KEY = 'k-bench-throughput';

function post(agent: Agent, url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request(
      { agent, host: hostname, port, method: 'POST', path: '/v1/jobs', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** completed + failed jobs so far, from the process's Prometheus metrics. */
async function finishedJobs(url: string): Promise<{ completed: number; failed: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let completed = 0;
  let failed = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('parsimony_jobs_finished_total{')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.includes('status="completed"')) completed += value;
    else failed += value;
  }
  return { completed, failed };
}

interface JobsRun {
  jobs: number;
  submit_s: number;
  submit_per_s: number;
  end_to_end_s: number;
  jobs_per_s: number;
  failed: number;
  rejected: number;
  cpu_ms_per_job: number | null;
  /** 1-minute load average at the end of the run. */
  load_1m: number;
}

async function jobsRun(url: string, pid: number, prompts: () => string, n: number, submitters: number): Promise<JobsRun> {
  const agent = new Agent({ keepAlive: true, maxSockets: submitters });
  const before = await finishedJobs(url);
  const cpu0 = treeCpuMs(pid);
  const t0 = performance.now();
  let next = 0;
  let rejected = 0;
  await Promise.all(
    Array.from({ length: submitters }, async () => {
      while (next < n) {
        next++;
        const body = JSON.stringify({ request: { model: 'auto', messages: [{ role: 'user', content: prompts() }], max_tokens: 64 }, latency: 'async' });
        const status = await post(agent, url, body);
        if (status !== 202) rejected++;
      }
    }),
  );
  const submitted = performance.now();
  const want = n - rejected;
  let now = before;
  const until = Date.now() + 300_000;
  while (Date.now() < until) {
    now = await finishedJobs(url);
    if (now.completed + now.failed - before.completed - before.failed >= want) break;
    // Each scrape reads the queue depths from Redis: every 200 ms keeps its cost out of the figure.
    await new Promise((r) => setTimeout(r, 200));
  }
  const done = performance.now();
  agent.destroy();
  const cpu1 = treeCpuMs(pid);
  const finished = now.completed + now.failed - before.completed - before.failed;
  if (finished < want) throw new Error(`only ${finished} of ${want} jobs finished within 300 s`);
  return {
    jobs: n,
    submit_s: round((submitted - t0) / 1000, 2)!,
    submit_per_s: round(n / ((submitted - t0) / 1000), 0)!,
    end_to_end_s: round((done - t0) / 1000, 2)!,
    jobs_per_s: round(want / ((done - t0) / 1000), 0)!,
    failed: now.failed - before.failed,
    rejected,
    cpu_ms_per_job: cpu0 !== null && cpu1 !== null ? round((cpu1 - cpu0) / n, 2) : null,
    load_1m: round(loadavg()[0], 2)!,
  };
}

async function jobsAtLatency(latencyMs: number, questions: string[], cursor: { i: number }) {
  const prefix = `bench-throughput-${process.pid}-${latencyMs}`;
  const sim = await startSimulatorProcess({ latencyMs });
  try {
    const parsimony = await startParsimonyProcess({
      simUrl: sim.url,
      prefix,
      keys: { bench: KEY },
      env: { PARSIMONY_WORKER_CONCURRENCY: args.concurrency!, ...(args.workers ? { PARSIMONY_WORKERS: args.workers } : {}) },
    });
    try {
      const prompt = () => `${questions[cursor.i++ % questions.length]}`;
      progress(`latency ${latencyMs} ms: warm-up`);
      // Long enough for the JIT and the connection pools: the first runs of a cold process were up to 2× slower.
      await jobsRun(parsimony.url, parsimony.pid, prompt, 800, Number(args.submitters));
      const runs: JobsRun[] = [];
      for (let r = 0; r < Number(args.repeats); r++) {
        const run = await jobsRun(parsimony.url, parsimony.pid, prompt, Number(args.jobs), Number(args.submitters));
        progress(`latency ${latencyMs} ms, run ${r + 1}: ${run.jobs_per_s} jobs/s end to end (submit ${run.submit_per_s}/s, cpu ${run.cpu_ms_per_job} ms/job, failed ${run.failed})`);
        runs.push(run);
      }
      return {
        simulator_latency_ms: latencyMs,
        worker_concurrency: Number(args.concurrency),
        workers: args.workers ? Number(args.workers) : 'default',
        jobs_per_s: round(median(runs.map((r) => r.jobs_per_s)), 0),
        submit_per_s: round(median(runs.map((r) => r.submit_per_s)), 0),
        cpu_ms_per_job: round(median(runs.map((r) => r.cpu_ms_per_job ?? NaN)), 2),
        load_1m: round(median(runs.map((r) => r.load_1m)), 2),
        failed: runs.reduce((s, r) => s + r.failed + r.rejected, 0),
        parsimony_peak_rss_mb: parsimony.peakRssMb(),
        runs,
      };
    } finally {
      await parsimony.stop();
    }
  } finally {
    await sim.stop();
    await cleanupPrefix(prefix);
  }
}

type LatencyResult = Awaited<ReturnType<typeof jobsAtLatency>>;
type IntakeSummary = ReturnType<typeof intakeSummary>;

interface BatchPathSummary {
  jobs: number;
  runs: number;
  jobs_per_second: number | null;
  submit_jobs_per_second: number | null;
  seconds: number | null;
  provider_batches: unknown;
  sim_batch_seconds: unknown;
  all_completed_by_batch: boolean;
  raw: Record<string, unknown>[];
}

interface Target {
  value: number | null;
  target: number;
  met: boolean | null;
}

interface ThroughputResult {
  bench: string;
  date: string;
  machine: ReturnType<typeof machineInfo>;
  load: ReturnType<LoadSampler['stop']>;
  config: { jobs_per_run: number; repeats: number; submitters: number; worker_concurrency: number; workers: number | 'default' };
  async_jobs: LatencyResult[];
  batch_path: BatchPathSummary | null;
  batch_intake: IntakeSummary | null;
  batch_intake_container_heap: IntakeSummary | null;
  targets: { jobs_per_second: Target; intake_seconds: Target; intake_peak_rss_mb: Target };
  duration_s: number;
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = machineInfo();
  const load = new LoadSampler();
  await checkRedis();
  buildDist(args['no-build']);
  const questions = distinctQuestions(dataPaths(args.data!).pairs, 11);
  const cursor = { i: 0 };
  const jobs = [];
  for (const latency of args.latencies!.split(',').map(Number)) jobs.push(await jobsAtLatency(latency, questions, cursor));

  let intake: ReturnType<typeof intakeSummary> | null = null;
  let intakeHeap: ReturnType<typeof intakeSummary> | null = null;
  if (!args['no-intake']) {
    const runs = [];
    for (let r = 0; r < Number(args['intake-repeats']); r++) {
      progress(`batch intake ${args['intake-lines']} lines, run ${r + 1}`);
      runs.push(intakeRun(Number(args['intake-lines'])));
    }
    intake = intakeSummary(runs);
    if (args['intake-heap']) {
      progress(`batch intake with --max-old-space-size=${args['intake-heap']}`);
      intakeHeap = intakeSummary([intakeRun(Number(args['intake-lines']), Number(args['intake-heap']))]);
    }
  }

  let batchPath: BatchPathSummary | null = null;
  if (!args['no-batch-path']) {
    const runs = [];
    for (let r = 0; r < Number(args['batch-path-repeats']); r++) {
      progress(`batch path (scripts/bench/batch-path.ts) ${args['batch-path-jobs']} jobs, run ${r + 1}`);
      runs.push(batchPathRun(Number(args['batch-path-jobs'])));
    }
    batchPath = {
      jobs: Number(args['batch-path-jobs']),
      runs: runs.length,
      jobs_per_second: round(median(runs.map((x) => Number(x.jobs_per_second))), 0),
      submit_jobs_per_second: round(median(runs.map((x) => Number(x.submit_jobs_per_second))), 0),
      seconds: round(median(runs.map((x) => Number(x.seconds))), 2),
      provider_batches: runs[0]?.provider_batches,
      sim_batch_seconds: runs[0]?.sim_batch_seconds,
      all_completed_by_batch: runs.every((x) => x.completed_by_batch === x.jobs),
      raw: runs,
    };
  }

  const zero = jobs.find((j) => j.simulator_latency_ms === 0);
  const result: ThroughputResult = {
    bench: 'throughput',
    date: new Date(started).toISOString(),
    machine,
    load: load.stop(),
    config: {
      jobs_per_run: Number(args.jobs),
      repeats: Number(args.repeats),
      submitters: Number(args.submitters),
      worker_concurrency: Number(args.concurrency),
      workers: args.workers ? Number(args.workers) : 'default',
    },
    async_jobs: jobs,
    batch_path: batchPath,
    batch_intake: intake,
    batch_intake_container_heap: intakeHeap,
    targets: {
      jobs_per_second: { value: zero?.jobs_per_s ?? null, target: TARGETS.jobs_per_second, met: zero ? (zero.jobs_per_s ?? 0) >= TARGETS.jobs_per_second : null },
      intake_seconds: { value: intake?.total_s ?? null, target: TARGETS.intake_seconds, met: intake ? (intake.total_s ?? Infinity) <= TARGETS.intake_seconds && intake.all_lines_queued : null },
      intake_peak_rss_mb: {
        value: intake?.producer_peak_rss_mb ?? null,
        target: TARGETS.intake_peak_rss_mb,
        met: intake ? (intake.producer_peak_rss_mb ?? Infinity) <= TARGETS.intake_peak_rss_mb : null,
      },
    },
    duration_s: Math.round((Date.now() - started) / 1000),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (!args['no-write']) writeSection('throughput', markdown(result, commandLine('bench:throughput')));
}

function markdown(r: ThroughputResult, command: string): string {
  const t = r.targets;
  const lines = [
    '## Throughput (`npm run bench:throughput`)',
    '',
    runHeader({ date: r.date, machine: r.machine, command, load: r.load, durationS: r.duration_s }),
    '',
    `Async jobs end to end: ${r.config.jobs_per_run} jobs per run (distinct prompts, model "auto", \`latency: "async"\`), submitted by ${r.config.submitters} concurrent HTTP clients, counted finished from \`/metrics\`; ${r.config.repeats} runs per row, medians. Parsimony = all-in-one build in its own process, PARSIMONY_WORKERS=${r.config.workers} (pipeline workers: the main process's plus child processes; CPU includes the children), PARSIMONY_WORKER_CONCURRENCY=${r.config.worker_concurrency} each; the simulator in its own process.`,
    '',
    mdTable(
      ['simulator latency', 'jobs/s end to end', 'POST /v1/jobs accepted/s', 'Parsimony CPU ms/job', 'failed', 'peak RSS MB', 'runs (jobs/s @ load 1m)'],
      r.async_jobs.map((j) => [
        `${j.simulator_latency_ms} ms`,
        j.jobs_per_s,
        j.submit_per_s,
        j.cpu_ms_per_job,
        j.failed,
        j.parsimony_peak_rss_mb,
        j.runs.map((x) => `${x.jobs_per_s} @ ${x.load_1m}`).join(', '),
      ]),
    ),
  ];
  if (r.batch_path) {
    const b = r.batch_path;
    lines.push(
      '',
      `Batch lever path (\`scripts/bench/batch-path.ts\`, ${b.jobs} jobs with \`latency: "batch"\` → router-worker → deferred → provider batches (${b.provider_batches} per run, the simulator takes ${b.sim_batch_seconds} s each) → completion at the batch price; services and load in that script's own process; median of ${b.runs} runs): **${b.jobs_per_second} jobs/s** end to end (${b.seconds} s; submission alone ${b.submit_jobs_per_second} jobs/s; every job completed by a provider batch: ${b.all_completed_by_batch ? 'yes' : 'NO'}).`,
    );
  }
  if (r.batch_intake) {
    const row = (label: string, x: IntakeSummary) => [
      label,
      x.lines as number | undefined,
      x.total_s,
      x.upload_s,
      x.validate_and_pack_s,
      x.lines_per_second,
      x.producer_rss_mb_at_start,
      x.producer_peak_rss_mb,
      x.runs,
    ];
    lines.push(
      '',
      'Nightly batch intake (`scripts/bench/batch-intake.ts`: upload with `files.create`, then `batches.create` validates every line and stores/queues it as a job; producer alone in its own process, medians):',
      '',
      mdTable(
        ['producer heap', 'lines', 'total s', 'upload s', 'validate + pack s', 'lines/s', 'RSS at start MB', 'peak RSS MB', 'runs'],
        [
          row('V8 default (sized from 24 GB host)', r.batch_intake),
          ...(r.batch_intake_container_heap ? [row(`--max-old-space-size=${r.batch_intake_container_heap.max_old_space_size_mb}`, r.batch_intake_container_heap)] : []),
        ],
      ),
    );
  }
  lines.push(
    '',
    mdTable(
      ['target', 'value', 'target', 'verdict'],
      [
        [
          'async jobs/s end to end (0 ms simulator)',
          t.jobs_per_second.value,
          '≥ 1,000',
          verdict(t.jobs_per_second.met, t.jobs_per_second.value !== null ? `${1000 - t.jobs_per_second.value} jobs/s` : undefined),
        ],
        [
          '100k-line batch accepted + packed',
          t.intake_seconds.value !== null ? `${t.intake_seconds.value} s` : null,
          '≤ 30 s',
          verdict(t.intake_seconds.met, t.intake_seconds.value !== null ? `${round(t.intake_seconds.value - 30, 1)} s` : undefined),
        ],
        [
          'peak producer RSS during intake',
          t.intake_peak_rss_mb.value !== null ? `${t.intake_peak_rss_mb.value} MB` : null,
          '≤ 300 MB',
          verdict(t.intake_peak_rss_mb.met, t.intake_peak_rss_mb.value !== null ? `${t.intake_peak_rss_mb.value - 300} MB` : undefined),
        ],
      ],
    ),
  );
  return lines.join('\n');
}

main().catch((err) => {
  process.stderr.write(`throughput bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
