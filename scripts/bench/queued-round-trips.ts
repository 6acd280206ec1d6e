/**
 * Redis commands per queued job (issue 17 item 1, the queued half): starts
 * a dedicated redis-server (MONITOR on a shared, busy one loses lines), the
 * simulator and Parsimony (all-in-one, in this process, PARSIMONY_WORKERS=1), submits N async jobs (`POST /v1/jobs`, distinct
 * prompts, so cache misses) from a few concurrent clients, waits until every
 * one finished, and counts with MONITOR the commands that touch the prefix
 * from the first submission to the last completion: a script (BullMQ's are
 * named from their SHA1) or a MULTI … EXEC block counts once, pipelined
 * commands one each (an upper bound on round trips); background loops
 * (stalled checks, lock renewals, comparers) are counted too. Prints one JSON line.
 *
 *   npx tsx scripts/bench/queued-round-trips.ts [--n 200] [--submitters 8]
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startSimulator } from '../../infra/simulator/server';
import { startAll } from '../../services/all-in-one/start-all';
import { cleanupPrefix } from './common/processes';
import { createLogger } from '../../shared/platform/logging/logger';
import { parsimonyMetrics } from '../../shared/platform/metrics/parsimony-metrics';
import { dedicatedRedis } from '../reliability/redis-server';

const { values } = parseArgs({ options: { n: { type: 'string', default: '200' }, submitters: { type: 'string', default: '8' } } });
const N = Number(values.n);
const SUBMITTERS = Number(values.submitters);

/** SHA1 → BullMQ script name (e.g. moveToFinished), so EVALSHA lines say which script ran. */
async function bullmqScriptNames(): Promise<Map<string, string>> {
  const dir = join(require.resolve('bullmq'), '../scripts');
  const names = new Map<string, string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'index.js')) {
    const exported = (await import(join(dir, file))) as Record<string, { name?: string; content?: string }>;
    for (const script of Object.values(exported)) if (script?.content && script.name) names.set(createHash('sha1').update(script.content).digest('hex'), script.name);
  }
  return names;
}

async function main(): Promise<void> {
  const scripts = await bullmqScriptNames();
  const redisServer = await dedicatedRedis({ appendonly: false });
  await redisServer.start();
  const REDIS_URL = redisServer.url;
  const monitorClient = new Redis(REDIS_URL);
  const monitor = await monitorClient.monitor();
  // Before Parsimony starts, while this Redis is idle: ioredis trips over monitored lines that arrive before MONITOR's OK.
  // Errors after that are counted and reported.
  let monitorErrors = 0;
  monitor.on('error', () => monitorErrors++);
  monitorClient.on('error', () => monitorErrors++);
  const sim = await startSimulator({ port: 0, logger: createLogger({ service: 'simulator', level: 'silent' }) });
  const prefix = `qrtt-${process.pid}`;
  const app = await startAll({
    env: {
      REDIS_URL,
      PARSIMONY_QUEUE_PREFIX: prefix,
      PARSIMONY_API_KEYS: 'bench:k-qrtt',
      PARSIMONY_WORKERS: '1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      OPENAI_API_KEY: 'sk-x',
      OPENAI_BASE_URL: `${sim.url}/v1`,
      ANTHROPIC_API_KEY: 'sk-ant-x',
      ANTHROPIC_BASE_URL: sim.url,
    },
  });
  let counting = false;
  let count = 0;
  const byCommand: Record<string, number> = {};
  /** One example of each command (its first arguments), to see which code sent it. */
  const samples: Record<string, string> = {};
  const inMulti = new Set<string>();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (!counting || String(source ?? '').includes('lua')) return;
    let command = String(args[0]).toLowerCase();
    if (command === 'multi') return void inMulti.add(source);
    if (inMulti.has(source) && command !== 'exec') return;
    if (command === 'exec') inMulti.delete(source);
    else if (!args.some((a) => typeof a === 'string' && a.includes(prefix))) return;
    if (command === 'evalsha') command = `evalsha:${scripts.get(String(args[1])) ?? 'parsimony-script'}`;
    count++;
    byCommand[command] = (byCommand[command] ?? 0) + 1;
    samples[command] ??= args
      .slice(0, 4)
      .map((a) => String(a).slice(0, 80))
      .join(' ');
  });
  const submit = (i: number) =>
    fetch(`${app.url}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: 'Bearer k-qrtt', 'content-type': 'application/json' },
      body: JSON.stringify({
        request: { model: 'auto', messages: [{ role: 'user', content: `queued job ${i} ${process.pid}: name a city beginning with ${String.fromCharCode(65 + (i % 26))}` }], max_tokens: 16 },
        latency: 'async',
      }),
    }).then(async (r) => {
      if (r.status !== 202) throw new Error(`POST /v1/jobs answered ${r.status}: ${await r.text()}`);
      return ((await r.json()) as { id: string }).id;
    });
  // Finished jobs from this process's counter, so waiting adds no Redis command of its own.
  const finishedSoFar = async () => (await parsimonyMetrics().jobsFinished.get()).values.reduce((sum, v) => sum + v.value, 0);
  const finished = async (target: number) => {
    while ((await finishedSoFar()) < target) await new Promise((r) => setTimeout(r, 20));
  };
  try {
    await submit(-1);
    await finished(1);
    await new Promise((r) => setTimeout(r, 300));
    counting = true;
    let next = 0;
    await Promise.all(
      Array.from({ length: SUBMITTERS }, async () => {
        while (next < N) await submit(next++);
      }),
    );
    const submittedCount = count;
    const submittedBy = { ...byCommand };
    await finished(N + 1);
    counting = false;
    const perJob = (v: number) => Math.round((v / N) * 10) / 10;
    const processing = Object.fromEntries(
      Object.entries(byCommand)
        .map(([k, v]) => [k, v - (submittedBy[k] ?? 0)] as const)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => [k, perJob(v)]),
    );
    process.stdout.write(
      `${JSON.stringify({
        bench: 'queued-round-trips',
        n: N,
        note: 'MONITOR counts: scripts and MULTI blocks once, pipelined commands each, background loops included; submit = until the last 202 (some jobs already run meanwhile), total = until the last job finished',
        commands_per_job: perJob(count),
        monitor_errors: monitorErrors,
        submit_commands_per_job: perJob(submittedCount),
        submit_by_command: Object.fromEntries(Object.entries(submittedBy).map(([k, v]) => [k, perJob(v)])),
        after_submit_by_command: processing,
        by_command: Object.fromEntries(Object.entries(byCommand).map(([k, v]) => [k, perJob(v)])),
        samples,
      })}\n`,
    );
  } finally {
    monitorClient.disconnect();
    monitor.disconnect();
    await app.close();
    await sim.close();
    await cleanupPrefix(prefix, REDIS_URL);
    await redisServer.remove();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
