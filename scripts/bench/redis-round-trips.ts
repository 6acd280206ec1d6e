/**
 * Redis commands per fast-path request (issue 17 item 1): starts the simulator
 * and Parsimony (all-in-one, in this process, a unique key prefix), then counts
 * with MONITOR the commands that touch the prefix during N cache misses and N
 * exact hits on /v1/chat/completions: a script is one command (the calls it
 * makes inside Redis are left out), a MULTI … EXEC block one; a pipeline's
 * commands still count one each (MONITOR cannot tell them from separate round
 * trips), so this is an upper bound on round trips. Background loops
 * (heartbeats, queue polling, the cache service) that touch the prefix
 * meanwhile are counted too. Prints one JSON line.
 *
 *   npx tsx scripts/bench/redis-round-trips.ts [--n 50]
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startSimulator } from '../../infra/simulator/server';
import { startAll } from '../../services/all-in-one/start-all';
import { createLogger } from '../../shared/platform/logging/logger';

const { values } = parseArgs({ options: { n: { type: 'string', default: '50' } } });
const N = Number(values.n);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function main(): Promise<void> {
  const sim = await startSimulator({ port: 0, logger: createLogger({ service: 'simulator', level: 'silent' }) });
  const prefix = `rtt-${process.pid}`;
  const app = await startAll({
    env: {
      REDIS_URL,
      PARSIMONY_QUEUE_PREFIX: prefix,
      PARSIMONY_API_KEYS: 'bench:k-rtt',
      PORT: '0',
      LOG_LEVEL: 'silent',
      OPENAI_API_KEY: 'sk-x',
      OPENAI_BASE_URL: `${sim.url}/v1`,
      ANTHROPIC_API_KEY: 'sk-ant-x',
      ANTHROPIC_BASE_URL: sim.url,
    },
  });
  const monitorClient = new Redis(REDIS_URL);
  const monitor = await monitorClient.monitor();
  let counting = false;
  let count = 0;
  const byCommand: Record<string, number> = {};
  const inMulti = new Set<string>();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (!counting || String(source ?? '').includes('lua')) return;
    const command = String(args[0]).toLowerCase();
    if (command === 'multi') return void inMulti.add(source);
    if (inMulti.has(source) && command !== 'exec') return;
    if (command === 'exec') inMulti.delete(source);
    else if (!args.some((a) => typeof a === 'string' && a.includes(prefix))) return;
    count++;
    byCommand[command] = (byCommand[command] ?? 0) + 1;
  });
  const ask = (q: string) =>
    fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k-rtt', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: q }], max_tokens: 16 }),
    }).then((r) => r.text());
  const measure = async (label: string, q: (i: number) => string) => {
    await new Promise((r) => setTimeout(r, 300));
    count = 0;
    for (const k of Object.keys(byCommand)) delete byCommand[k];
    counting = true;
    for (let i = 0; i < N; i++) await ask(q(i));
    await new Promise((r) => setTimeout(r, 300));
    counting = false;
    return {
      label,
      commands_per_request: Math.round((count / N) * 10) / 10,
      by_command_per_request: Object.fromEntries(Object.entries(byCommand).map(([k, v]) => [k, Math.round((v / N) * 10) / 10])),
    };
  };
  try {
    await ask('warm up: the hit prompt, what is a prime number?');
    const miss = await measure('cache miss', (i) => `unique miss ${i} ${process.pid}: name a city beginning with ${String.fromCharCode(65 + (i % 26))}`);
    const hit = await measure('exact hit', () => 'warm up: the hit prompt, what is a prime number?');
    process.stdout.write(
      `${JSON.stringify({ bench: 'redis-round-trips', n: N, note: 'MONITOR counts: scripts and MULTI blocks once, pipelined commands each, background loops included', miss, hit })}\n`,
    );
  } finally {
    monitorClient.disconnect();
    monitor.disconnect();
    await app.close();
    await sim.close();
    const cleaner = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await cleaner.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await cleaner.del(...keys);
    } while (cursor !== '0');
    cleaner.disconnect();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
