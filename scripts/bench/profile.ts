/**
 * Where Parsimony's CPU goes per request (a diagnostic, not part of `npm run bench`).
 *
 *   npx tsx scripts/bench/profile.ts [--mode miss|hit|async] [--rate 50] [--duration 10] [--jobs 2000] [--env '{"PARSIMONY_CACHE":"off"}'] [--keep out.cpuprofile]
 *
 * Starts the simulator (0 ms) and Parsimony (all-in-one build, own process,
 * `node --cpu-prof`), drives one kind of traffic — fast-path cache misses
 * (distinct prompts), fast-path hits (one prompt), or async jobs (POST
 * /v1/jobs, distinct prompts) — stops Parsimony so V8 writes the profile, and
 * prints one JSON line: CPU ms per request (/proc, whole process) and the
 * profile broken into product components (common/cpu-profile.ts).
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs, cpuMs } from './common/cli';
import { analyseCpuProfile } from './common/cpu-profile';
import { dataPaths, distinctQuestions } from './common/datasets';
import { machineInfo, progress } from './common/machine';
import { runPaced } from './common/paced-load';
import { buildDist, cleanupPrefix, startParsimonyProcess, startSimulatorProcess } from './common/processes';
import { round } from './common/stats';

const args = benchArgs({
  mode: { type: 'string', default: 'miss' },
  rate: { type: 'string', default: '50' },
  duration: { type: 'string', default: '10' },
  jobs: { type: 'string', default: '2000' },
  env: { type: 'string', default: '{}' },
  /** Copy the raw .cpuprofile here (for Chrome DevTools or caller analysis). */
  keep: { type: 'string' },
});
const KEY = 'k-bench-profile';

async function main(): Promise<void> {
  const mode = args.mode!;
  if (!['miss', 'hit', 'async'].includes(mode)) throw new Error('--mode must be miss, hit or async');
  buildDist(args['no-build']);
  const questions = distinctQuestions(dataPaths(args.data!).pairs, 23);
  const dir = mkdtempSync(join(tmpdir(), 'parsimony-profile-'));
  const prefix = `bench-profile-${process.pid}`;
  const sim = await startSimulatorProcess();
  let cursor = 0;
  const body = () =>
    JSON.stringify({
      model: 'auto',
      messages: [{ role: 'user', content: mode === 'hit' ? 'What is the best way to learn a new language as an adult?' : questions[cursor++ % questions.length] }],
      max_tokens: 64,
    });
  try {
    const parsimony = await startParsimonyProcess({
      simUrl: sim.url,
      prefix,
      keys: { bench: KEY },
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
      env: JSON.parse(args.env!) as Record<string, string>,
    });
    const target =
      mode === 'async'
        ? { url: parsimony.url, path: '/v1/jobs', headers: { authorization: `Bearer ${KEY}` }, body: () => JSON.stringify({ request: JSON.parse(body()), latency: 'async' }) }
        : { url: parsimony.url, path: '/v1/chat/completions', headers: { authorization: `Bearer ${KEY}` }, body };
    progress('warm-up');
    await runPaced(target, { rate: 20, durationS: 2 });
    const rate = Number(args.rate);
    const durationS = mode === 'async' ? Number(args.jobs) / rate : Number(args.duration);
    // Reference in the same minute: what one bare Node HTTP request/response costs on this machine (the simulator's CPU per call).
    const direct = {
      url: sim.url,
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer sk-bench' },
      body: () => JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: questions[(cursor + 5000) % questions.length] }], max_tokens: 64 }),
    };
    await runPaced(direct, { rate: 20, durationS: 1 });
    const sim0 = cpuMs(sim.pid);
    const ref = await runPaced(direct, { rate, durationS: Math.min(durationS, 10) });
    const sim1 = cpuMs(sim.pid);
    await new Promise((r) => setTimeout(r, 1000));
    const cpu0 = cpuMs(parsimony.pid);
    progress(`${mode}: ${rate} req/s for ${durationS} s`);
    const load = await runPaced(target, { rate, durationS });
    // Async jobs finish after their 202; give the worker time to drain before reading the CPU.
    if (mode === 'async') await new Promise((r) => setTimeout(r, 3000));
    const cpu1 = cpuMs(parsimony.pid);
    await parsimony.stop();
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no .cpuprofile written');
    const breakdown = analyseCpuProfile(join(dir, file));
    if (args.keep) copyFileSync(join(dir, file), args.keep);
    const result = {
      bench: 'profile',
      mode,
      env: JSON.parse(args.env!),
      machine: machineInfo(),
      load,
      cpu_ms_per_request: cpu0 !== null && cpu1 !== null ? round((cpu1 - cpu0) / load.completed, 2) : null,
      simulator_cpu_ms_per_request: sim0 !== null && sim1 !== null ? round((sim1 - sim0) / ref.completed, 2) : null,
      profile: breakdown,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await sim.stop();
    await cleanupPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`profile failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
