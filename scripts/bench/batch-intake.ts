/**
 * Batch intake benchmark: how long a large batch input takes to be accepted
 * (files.create), validated and packed into queued jobs (batches.create), and
 * the producer's peak RSS meanwhile — through the real HTTP API with the
 * official openai SDK, against a producer running in its own process (so its
 * memory is measured alone), built like production (`npm run build`, then
 * `node dist/…`; tsx alone adds ~150 MB of transpiler state). Target:
 * 100,000 lines in ≤ 30 s, peak RSS ≤ 300 MB.
 *
 *   npx tsx scripts/bench/batch-intake.ts [--lines 100000] [--redis redis://127.0.0.1:6379] [--no-build] [--tsx]
 *                                         [--max-old-space-size MB]
 *
 * V8 sizes its heap from the machine's memory: on a large host it collects
 * lazily and RSS shows garbage, in a memory-limited container (or with
 * --max-old-space-size, as a container limit would set it) it collects
 * sooner. The baseline RSS before the upload is reported separately (it is
 * what the producer holds idle: catalog, router, cache embeddings).
 *
 * Prints one JSON line. Needs Redis; cleans up its keys.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import OpenAI, { toFile } from 'openai';
import { cleanupPrefix, freePort, procStatusMb } from './common/processes';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '100000' },
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    /** Use the existing dist/ as is. */
    'no-build': { type: 'boolean', default: false },
    /** Run the producer from source with tsx instead of dist/. */
    tsx: { type: 'boolean', default: false },
    /** Passed to the producer's node (e.g. 256, what a 512 MB container gets). Default: V8's own sizing. */
    'max-old-space-size': { type: 'string' },
  },
});
const LINES = Number(values.lines);
const REDIS_URL = values.redis!;
const TARGET = { seconds: 30, peak_rss_mb: 300 };

const TOPICS = ['a delayed order', 'a refund request', 'a login problem', 'a billing question', 'a product review', 'a shipping address change'];
const MODELS = ['auto', 'gpt-4.1-mini', 'auto', 'claude-haiku-4-5'];

/** A realistic nightly-pipeline input: classification and summarisation prompts, mixed models. */
function buildInput(count: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const topic = TOPICS[i % TOPICS.length];
    parts.push(
      JSON.stringify({
        custom_id: `ticket-${i}`,
        method: 'POST',
        url: '/v1/chat/completions',
        body: {
          model: MODELS[i % MODELS.length],
          messages: [
            { role: 'system', content: 'You triage customer support tickets. Answer with one label and one sentence.' },
            { role: 'user', content: `Ticket #${i} from customer ${(i * 7919) % 100000}: I am writing about ${topic}. It has been ${i % 14} days and nobody answered. Please help.` },
          ],
          max_tokens: 60,
        },
      }),
    );
  }
  return Buffer.from(`${parts.join('\n')}\n`);
}

const peakRssMb = (pid: number) => procStatusMb(pid, 'VmHWM');
const rssMb = (pid: number) => procStatusMb(pid, 'VmRSS');

async function waitReady(url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('producer did not start');
}

async function main(): Promise<void> {
  const port = await freePort();
  const prefix = `bench-intake-${randomBytes(4).toString('hex')}`;
  const key = 'k-bench-intake';
  if (!values.tsx && !values['no-build']) execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const heap = values['max-old-space-size'] ? [`--max-old-space-size=${Number(values['max-old-space-size'])}`] : [];
  const entry = [...heap, ...(values.tsx ? ['--import', 'tsx', 'services/producer/main.ts'] : ['dist/services/producer/main.js'])];
  const child = spawn(process.execPath, entry, {
    env: {
      ...process.env,
      PORT: String(port),
      REDIS_URL,
      PARSIMONY_QUEUE_PREFIX: prefix,
      PARSIMONY_API_KEYS: `bench:${key}`,
      LOG_LEVEL: 'warn',
      // Providers must be configured for the catalog check; nothing calls them (no worker runs).
      OPENAI_API_KEY: 'sk-bench',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      ANTHROPIC_API_KEY: 'sk-ant-bench',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url);
    const input = buildInput(LINES);
    const client = new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0, timeout: 600_000 });
    // Idle: the resident set before the upload (not the start-up high-water mark).
    const rssAtStart = rssMb(child.pid!);

    const started = performance.now();
    const file = await client.files.create({ file: await toFile(input, 'bench.jsonl'), purpose: 'batch' });
    const uploaded = performance.now();
    const rssAfterUpload = peakRssMb(child.pid!);
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const created = performance.now();

    const totalSeconds = (created - started) / 1000;
    const peak = peakRssMb(child.pid!);
    const result = {
      bench: 'batch-intake',
      lines: LINES,
      runtime: values.tsx ? 'tsx' : 'dist',
      max_old_space_size_mb: values['max-old-space-size'] ? Number(values['max-old-space-size']) : null,
      bytes: input.length,
      upload_ms: Math.round(uploaded - started),
      validate_and_pack_ms: Math.round(created - uploaded),
      total_ms: Math.round(created - started),
      lines_per_second: Math.round(LINES / totalSeconds),
      producer_rss_mb_at_start: rssAtStart,
      producer_peak_rss_mb_after_upload: rssAfterUpload,
      producer_peak_rss_mb: peak,
      batch_status: batch.status,
      request_counts: batch.request_counts,
      target: TARGET,
      meets_target: totalSeconds <= TARGET.seconds && peak !== null && peak <= TARGET.peak_rss_mb && batch.request_counts?.total === LINES,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await cleanupPrefix(prefix, REDIS_URL);
  }
}

main().catch((err) => {
  process.stderr.write(`batch-intake bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
