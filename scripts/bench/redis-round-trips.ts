/**
 * Redis commands and round trips per fast-path request (issue 17 item 1):
 * starts the simulator and Parsimony (all-in-one, in this process, a unique
 * key prefix), then counts, inside this process, what the ioredis clients send
 * during N cache misses and N exact hits on /v1/chat/completions.
 *
 * Counted at the client (ioredis `sendCommand`), not with MONITOR: a pipeline
 * or MULTI … EXEC block is one round trip however many commands it carries,
 * which MONITOR cannot tell apart. `commands` counts every command sent (a
 * script is one; MULTI and EXEC markers are not counted), `round_trips` every
 * write that waits for its own replies. Only traffic touching the run's prefix
 * counts. Each command is attributed by async context:
 *  - `before_answer`: issued by the request (its handler and what it awaits)
 *    before its response finished: the latency-relevant round trips;
 *  - `after_answer`: issued by work the request started (fire-and-forget
 *    follow-ups such as the cache write) after its response finished;
 *  - `background`: loops not started by a request (heartbeats, the outbox
 *    pump, queue workers); blocking reads (BZPOPMIN, BLMOVE …) are listed
 *    apart, they wait rather than work.
 * Also per request: wall time (requests are sequential) and the CPU of this
 * whole process (Parsimony, the simulator and the client together) — rough,
 * for before/after runs on the same machine, not a latency benchmark.
 * Prints one JSON line.
 *
 *   npx tsx scripts/bench/redis-round-trips.ts [--n 50] [--trace <round-trip label>]
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Server, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startSimulator } from '../../infra/simulator/server';
import { startAll } from '../../services/all-in-one/start-all';
import { cleanupPrefix } from './common/processes';
import { createLogger } from '../../shared/platform/logging/logger';

const { values } = parseArgs({ options: { n: { type: 'string', default: '50' }, trace: { type: 'string' } } });
const N = Number(values.n);
/** `--trace <round-trip label>`: prints (stderr) where the first round trip with that label was issued. */
const TRACE = values.trace;
if (TRACE) Error.stackTraceLimit = 40;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `rtt-${process.pid}`;

type Phase = 'before_answer' | 'after_answer' | 'background';
interface RequestContext {
  answered: boolean;
}
const requestContext = new AsyncLocalStorage<RequestContext>();

// Every HTTP request this process serves runs in its own context, so a Redis command knows which request (if any) issued it.
const serverEmit = Server.prototype.emit;
Server.prototype.emit = function emit(this: Server, event: string | symbol, ...args: unknown[]): boolean {
  if (event !== 'request') return Reflect.apply(serverEmit, this, [event, ...args]) as boolean;
  const context: RequestContext = { answered: false };
  (args[1] as ServerResponse).once('finish', () => (context.answered = true));
  return requestContext.run(context, () => Reflect.apply(serverEmit, this, [event, ...args]) as boolean);
} as typeof Server.prototype.emit;

// Script names by SHA1, so EVALSHA shows which script ran (ours and BullMQ's are both defined through defineCommand).
const scriptNames = new Map<string, string>();
const defineCommand = Redis.prototype.defineCommand;
Redis.prototype.defineCommand = function (this: Redis, name: string, definition: { lua: string; numberOfKeys?: number }) {
  scriptNames.set(createHash('sha1').update(definition.lua).digest('hex'), name);
  return defineCommand.call(this, name, definition);
};

const BLOCKING = new Set(['bzpopmin', 'bzpopmax', 'blmove', 'brpoplpush', 'blpop', 'brpop', 'xread', 'xreadgroup']);

interface Tally {
  commands: number;
  roundTrips: number;
  byRoundTrip: Record<string, number>;
}
const newTally = (): Tally => ({ commands: 0, roundTrips: 0, byRoundTrip: {} });
let counting = false;
let tallies: Record<Phase, Tally> & { blocking: Tally } = { before_answer: newTally(), after_answer: newTally(), background: newTally(), blocking: newTally() };

interface SentCommand {
  name: string;
  args: unknown[];
}
interface PipelineBatch {
  names: string[];
  touchesPrefix: boolean;
  phase: Phase;
  stack?: string;
}
const touches = (args: unknown[]) => args.some((a) => (typeof a === 'string' ? a.includes(prefix) : Buffer.isBuffer(a) && a.includes(prefix)));
const label = (command: SentCommand) => (command.name === 'evalsha' || command.name === 'eval' ? `script:${scriptNames.get(String(command.args[0])) ?? '?'}` : command.name);
const phaseNow = (): Phase => {
  const context = requestContext.getStore();
  return !context ? 'background' : context.answered ? 'after_answer' : 'before_answer';
};
const traced = new Set<string>();
function record(tally: Tally, roundTripLabel: string, commands: number, stack?: string): void {
  if (TRACE === roundTripLabel && !traced.has(roundTripLabel)) {
    traced.add(roundTripLabel);
    process.stderr.write(`${roundTripLabel} issued at:\n${stack ?? new Error().stack}\n`);
  }
  tally.commands += commands;
  tally.roundTrips += 1;
  tally.byRoundTrip[roundTripLabel] = (tally.byRoundTrip[roundTripLabel] ?? 0) + 1;
}

// A pipeline (and a MULTI block, which ioredis sends as a pipeline) hands every command the same stream object: one write, one round trip.
const batches = new WeakMap<object, PipelineBatch>();
const sendCommand = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (this: Redis, command: SentCommand, stream?: { isPipeline?: boolean; destination?: unknown }, ...rest: unknown[]) {
  if (counting) {
    if (stream?.isPipeline) {
      let batch = batches.get(stream);
      if (!batch) {
        batch = { names: [], touchesPrefix: false, phase: phaseNow(), stack: TRACE ? new Error().stack : undefined };
        batches.set(stream, batch);
        // Counted once the whole batch has been handed over (ioredis does so synchronously in one loop).
        const pendingBatch = batch;
        queueMicrotask(() => {
          if (!pendingBatch.touchesPrefix) return;
          const commands = pendingBatch.names.filter((n) => n !== 'multi' && n !== 'exec');
          record(tallies[pendingBatch.phase], `pipeline(${commands.join('+')})`, commands.length, pendingBatch.stack);
        });
      }
      batch.names.push(label(command));
      batch.touchesPrefix ||= touches(command.args);
    } else if (touches(command.args)) {
      record(BLOCKING.has(command.name) ? tallies.blocking : tallies[phaseNow()], label(command), 1);
    }
  }
  return (sendCommand as (...a: unknown[]) => unknown).call(this, command, stream, ...rest);
} as typeof Redis.prototype.sendCommand;

const perRequest = (tally: Tally) => ({
  commands: Math.round((tally.commands / N) * 100) / 100,
  round_trips: Math.round((tally.roundTrips / N) * 100) / 100,
  by_round_trip: Object.fromEntries(
    Object.entries(tally.byRoundTrip)
      .sort(([, a], [, b]) => b - a)
      .map(([k, v]) => [k, Math.round((v / N) * 100) / 100]),
  ),
});

async function main(): Promise<void> {
  const sim = await startSimulator({ port: 0, logger: createLogger({ service: 'simulator', level: 'silent' }) });
  const app = await startAll({
    env: {
      REDIS_URL,
      PARSIMONY_QUEUE_PREFIX: prefix,
      PARSIMONY_API_KEYS: 'bench:k-rtt',
      // One process, whatever the machine's cores: the counts are per process.
      PARSIMONY_WORKERS: '1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      OPENAI_API_KEY: 'sk-x',
      OPENAI_BASE_URL: `${sim.url}/v1`,
      ANTHROPIC_API_KEY: 'sk-ant-x',
      ANTHROPIC_BASE_URL: sim.url,
    },
  });
  const ask = (q: string) =>
    fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k-rtt', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: q }], max_tokens: 512 }),
    }).then(async (r) => {
      const text = await r.text();
      if (r.status !== 200) throw new Error(`status ${r.status}: ${text}`);
      // A truncated answer is not cached (and would turn the hit run into misses): the cap is high enough that none is.
      if ((JSON.parse(text) as { choices: { finish_reason: string }[] }).choices[0]?.finish_reason === 'length') throw new Error('answer truncated: raise max_tokens');
      return r.headers.get('x-parsimony-cache');
    });
  const measure = async (label: string, expectedCache: string, q: (i: number) => string) => {
    await new Promise((r) => setTimeout(r, 300));
    tallies = { before_answer: newTally(), after_answer: newTally(), background: newTally(), blocking: newTally() };
    counting = true;
    const cacheHeaders: Record<string, number> = {};
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < N; i++) {
      const header = String(await ask(q(i)));
      cacheHeaders[header] = (cacheHeaders[header] ?? 0) + 1;
    }
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    // Follow-ups (cache writes, outbox forwarding) finish within this pause.
    await new Promise((r) => setTimeout(r, 300));
    counting = false;
    if (cacheHeaders[expectedCache] !== N) throw new Error(`${label}: expected x-parsimony-cache ${expectedCache} on every request, saw ${JSON.stringify(cacheHeaders)}`);
    const request = { commands: tallies.before_answer.commands + tallies.after_answer.commands, round_trips: tallies.before_answer.roundTrips + tallies.after_answer.roundTrips };
    return {
      label,
      per_request: {
        commands: Math.round((request.commands / N) * 100) / 100,
        round_trips: Math.round((request.round_trips / N) * 100) / 100,
        // Sequential requests, so each one's wall time; CPU of this whole process (Parsimony, simulator and client).
        wall_ms: Math.round((elapsedMs / N) * 1000) / 1000,
        process_cpu_ms: Math.round(((cpu.user + cpu.system) / 1000 / N) * 1000) / 1000,
      },
      before_answer: perRequest(tallies.before_answer),
      after_answer: perRequest(tallies.after_answer),
      background: perRequest(tallies.background),
      blocking_reads: perRequest(tallies.blocking),
    };
  };
  try {
    await ask('warm up: the hit prompt, what is a prime number?');
    const miss = await measure('cache miss', 'miss', (i) => `unique miss ${i} ${process.pid}: name a city beginning with ${String.fromCharCode(65 + (i % 26))}`);
    const hit = await measure('exact hit', 'hit', () => 'warm up: the hit prompt, what is a prime number?');
    process.stdout.write(
      `${JSON.stringify({
        bench: 'redis-round-trips',
        n: N,
        note: 'counted in ioredis: per_request = before_answer + after_answer (the request and what it started); a pipeline or MULTI block is one round trip; background loops and blocking reads listed apart',
        miss,
        hit,
      })}\n`,
    );
  } finally {
    await app.close();
    await sim.close();
    await cleanupPrefix(prefix, REDIS_URL);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
