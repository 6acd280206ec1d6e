/**
 * Fast-path added latency per surface, in one run: the same prompts sent to
 * the simulator's chat completions directly, to Parsimony's
 * /v1/chat/completions and to Parsimony's /v1/responses (stored, the default,
 * and with store: false; all answered by
 * the simulator's chat completions through the OpenAI adapter), cache misses
 * only (a unique prompt per request, an explicit model, so routing does not
 * change the provider call). Open-loop load at one rate, targets in rotating
 * order per repeat; added latency = the surface's p50 / p99 minus direct's of
 * the same repeat, median over repeats. Prints one JSON line.
 *
 *   npm run bench:surfaces -- [--rate 50] [--duration 4] [--repeats 3]
 */
import { loadavg } from 'node:os';
import { benchArgs } from './common/cli';
import { dataPaths, distinctQuestions } from './common/datasets';
import { machineInfo, progress } from './common/machine';
import { runPaced, type LoadTarget, type PacedResult } from './common/paced-load';
import { buildDist, checkRedis, cleanupPrefix, startParsimonyProcess, startSimulatorProcess, type BenchProcess } from './common/processes';
import { median, round } from './common/stats';

const args = benchArgs({
  rate: { type: 'string', default: '50' },
  duration: { type: 'string', default: '4' },
  repeats: { type: 'string', default: '3' },
});
const RATE = Number(args.rate);
const DURATION = Number(args.duration);
const REPEATS = Number(args.repeats);
const KEY = 'k-bench-surfaces';
const TARGETS = ['direct', 'chat_completions', 'responses', 'responses_no_store'] as const;
type TargetName = (typeof TARGETS)[number];

function targets(sim: BenchProcess, parsimony: BenchProcess, questions: string[]): Record<TargetName, LoadTarget> {
  let cursor = 0;
  // A distinct prompt on every request: both Parsimony surfaces miss the cache every time.
  const next = () => `${questions[cursor % questions.length]} (#${cursor++})`;
  const chat = (q: string) => JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: q }], max_tokens: 64 });
  return {
    direct: { url: sim.url, path: '/v1/chat/completions', headers: { authorization: 'Bearer sk-bench' }, body: () => chat(next()) },
    chat_completions: { url: parsimony.url, path: '/v1/chat/completions', headers: { authorization: `Bearer ${KEY}` }, body: () => chat(next()) },
    responses: { url: parsimony.url, path: '/v1/responses', headers: { authorization: `Bearer ${KEY}` }, body: () => JSON.stringify({ model: 'gpt-4.1-mini', input: next(), max_output_tokens: 64 }) },
    // store: false skips the stored-response write (one Redis MULTI after the answer), the default's extra cost.
    responses_no_store: { url: parsimony.url, path: '/v1/responses', headers: { authorization: `Bearer ${KEY}` }, body: () => JSON.stringify({ model: 'gpt-4.1-mini', input: next(), max_output_tokens: 64, store: false }) },
  };
}

async function main(): Promise<void> {
  await checkRedis();
  buildDist(args['no-build']);
  const questions = distinctQuestions(dataPaths(args.data!).pairs);
  const prefix = `bench-surfaces-${process.pid}`;
  const procs: BenchProcess[] = [];
  try {
    const sim = await startSimulatorProcess({ latencyMs: 0 });
    procs.push(sim);
    const parsimony = await startParsimonyProcess({ simUrl: sim.url, prefix, keys: { bench: KEY }, env: { PARSIMONY_CACHE: 'on' } });
    procs.push(parsimony);
    const t = targets(sim, parsimony, questions);
    progress('warm-up');
    for (const name of TARGETS) await runPaced(t[name], { rate: RATE, durationS: 2 });
    const points: (PacedResult & { target: TargetName; repeat: number })[] = [];
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      for (const name of TARGETS.map((_, k) => TARGETS[(k + repeat) % TARGETS.length])) {
        const r = await runPaced(t[name], { rate: RATE, durationS: DURATION, maxInFlight: 256 });
        points.push({ ...r, target: name, repeat });
        progress(`repeat ${repeat + 1}/${REPEATS} ${name}: p50 ${r.p50_ms} ms p99 ${r.p99_ms} ms errors ${r.errors} dropped ${r.dropped}`);
      }
    }
    const added = (name: TargetName, field: 'p50_ms' | 'p99_ms') =>
      round(
        median(
          Array.from({ length: REPEATS }, (_, repeat) => {
            const own = points.find((p) => p.target === name && p.repeat === repeat)?.[field];
            const direct = points.find((p) => p.target === 'direct' && p.repeat === repeat)?.[field];
            return own == null || direct == null ? NaN : own - direct;
          }).filter((v) => !Number.isNaN(v)),
        ),
      );
    const summary = Object.fromEntries(
      TARGETS.map((name) => {
        const own = points.filter((p) => p.target === name);
        return [name, { p50_ms: round(median(own.map((p) => p.p50_ms ?? NaN))), p99_ms: round(median(own.map((p) => p.p99_ms ?? NaN))), errors: own.reduce((s, p) => s + p.errors, 0), ...(name === 'direct' ? {} : { added_p50_ms: added(name, 'p50_ms'), added_p99_ms: added(name, 'p99_ms') }) }];
      }),
    );
    process.stdout.write(`${JSON.stringify({ bench: 'surface-overhead', rate: RATE, duration_s: DURATION, repeats: REPEATS, ...summary, load_1m: round(loadavg()[0]), machine: machineInfo() })}\n`);
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await cleanupPrefix(prefix);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
