import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { line, startBatchParsimony, type BatchParsimony } from '../batch-api/batch-helpers';
import { chatBody, KEYS } from '../helpers/parsimony';

const ROOT = resolve(__dirname, '../..');
const DIST_CLI = join(ROOT, 'dist/services/cli/main.js');
// A CLI run spawns Node (and tsx when the build is stale); on a busy machine that takes seconds.
jest.setTimeout(90_000);

/** The built CLI (what `npm test` builds first) when it is newer than every CLI source file; otherwise the sources through tsx. */
function cliCommand(): string[] {
  if (existsSync(DIST_CLI)) {
    const built = statSync(DIST_CLI).mtimeMs;
    const sources = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : [join(dir, e.name)]));
    if (sources(join(ROOT, 'services/cli')).every((file) => statSync(file).mtimeMs <= built)) return [DIST_CLI];
  }
  return ['--import', 'tsx', join(ROOT, 'services/cli/main.ts')];
}
const CLI = cliCommand();
const dir = mkdtempSync(join(tmpdir(), 'parsimony-cli-'));
let p: BatchParsimony;

beforeAll(async () => {
  // Batch lines go through the batch lever to the simulated provider batch API: make that quick.
  const simBatchSeconds = process.env.SIM_BATCH_SECONDS;
  process.env.SIM_BATCH_SECONDS = '0.5';
  try {
    p = await startBatchParsimony('ops-cli', {
      PARSIMONY_BATCH_MAX_WAIT_SECONDS: '0.3',
      PARSIMONY_BATCH_FLUSH_INTERVAL_MS: '100',
      PARSIMONY_BATCH_POLL_SECONDS: '0.2',
      PARSIMONY_BATCH_POLL_MAX_SECONDS: '0.5',
    });
  } finally {
    if (simBatchSeconds === undefined) delete process.env.SIM_BATCH_SECONDS;
    else process.env.SIM_BATCH_SECONDS = simBatchSeconds;
  }
}, 120_000);
afterAll(async () => {
  await p.close();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a user would: its own process, configured by PARSIMONY_URL / PARSIMONY_API_KEY. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PARSIMONY_URL: p.url, PARSIMONY_API_KEY: KEYS.acme, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

test('savings: a per-day table whose totals are the API’s, and --json is the report itself', async () => {
  for (const model of ['gpt-4.1-nano', 'gpt-4.1']) expect((await p.http('/v1/chat/completions', { method: 'POST', json: chatBody(`cli ${model}`, { model }) })).status).toBe(200);
  const today = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
  const api = await (await p.http(`/v1/savings?from=${from}&to=${today}&group_by=day`)).json();

  const table = await cli(['savings', '--since', '7d']);
  expect(table.stderr).toBe('');
  expect(table.code).toBe(0);
  expect(table.stdout).toContain(`savings ${from} .. ${today} (UTC), by day`);
  const total = table.stdout
    .split('\n')
    .find((l) => l.startsWith('TOTAL'))!
    .split(/\s+/);
  expect(total.slice(1, 6)).toEqual([String(api.requests), `$${api.baseline_usd.toFixed(6)}`, `$${api.actual_usd.toFixed(6)}`, `$${api.saved_usd.toFixed(6)}`, `${api.saved_pct.toFixed(1)}%`]);
  expect(table.stdout).toMatch(new RegExp(`^${today}\\s+2\\s`, 'm'));

  const json = await cli(['savings', '--since', '7d', '--json']);
  expect(JSON.parse(json.stdout)).toEqual(api);
});

test('batch submit --wait, status and results against Parsimony’s Batch API', async () => {
  const input = join(dir, 'nightly.jsonl');
  writeFileSync(input, [line('a', 'Classify: I love it.'), line('b', 'Summarise: the cat sat.', 'auto'), line('bad', 'x', 'no-such-model')].join('\n') + '\n');

  const submit = await cli(['batch', 'submit', input, '--window', '1h', '--wait', '--interval', '100ms']);
  expect(submit.code).toBe(0);
  const id = submit.stdout.trim();
  expect(id).toMatch(/^batch_/);
  // Progress goes to stderr: the upload bar reaches 100%, the batch bar ends at 3/3.
  expect(submit.stderr).toMatch(/upload \[#+\] 100%/);
  expect(submit.stderr).toMatch(/batch {2}\[#+\] 100% 3\/3 completed/);
  expect(submit.stderr).toContain('3 total, 2 completed, 1 failed');

  const status = await cli(['batch', 'status', id, '--json']);
  const batch = JSON.parse(status.stdout);
  expect(batch).toMatchObject({ id, status: 'completed', completion_window: '1h', request_counts: { total: 3, completed: 2, failed: 1 } });

  const out = join(dir, 'out.jsonl');
  const results = await cli(['batch', 'results', id, '-o', out]);
  expect(results.code).toBe(0);
  expect(results.stderr).toContain(`1 request(s) failed: parsimony batch results ${id} --errors`);
  const lines = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines.map((l) => l.custom_id).sort()).toEqual(['a', 'b']);
  for (const l of lines) expect(l.response.body.object).toBe('chat.completion');

  const errors = await cli(['batch', 'results', id, '--errors']);
  expect(
    errors.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).custom_id),
  ).toEqual(['bad']);
});

test('cache purge --tag removes the tagged entries (POST /v1/cache/purge)', async () => {
  const question = chatBody('Which river is the longest?', { model: 'gpt-4.1-mini' });
  const ask = async () => (await p.http('/v1/chat/completions', { method: 'POST', json: question })).headers.get('x-parsimony-cache');
  await p.http('/v1/jobs', { method: 'POST', json: { request: { ...question, metadata: { cache_tags: 'nightly' } }, metadata: { cache_tags: ['nightly'] }, latency: 'sync' } });
  // Entries are stored off the hot path (cache-service): ask until the answer comes from the cache.
  const until = Date.now() + 15_000;
  while ((await ask()) !== 'hit') {
    if (Date.now() > until) throw new Error('the tagged answer never reached the cache');
    await new Promise((r) => setTimeout(r, 100));
  }

  const purge = await cli(['cache', 'purge', '--tag', 'nightly']);
  expect(purge.stderr).toBe('');
  expect(purge.code).toBe(0);
  expect(purge.stdout).toMatch(/^purged [1-9]\d* cache entr(y|ies) \(tag=nightly\)\n$/);
  expect(await ask()).toBe('miss');

  // The server's validation comes back as the message (a scope is a 64-hex hash).
  const bad = await cli(['cache', 'purge', '--scope', 'not-a-scope']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('scope is a 64-hex scope hash');
});

test('errors: usage mistakes exit 2, server refusals exit 1 with the server’s message', async () => {
  const usage = await cli(['cache', 'purge']);
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain('cache purge needs --tag, --scope or --before, or --all');

  const badWindow = await cli(['batch', 'submit', join(dir, 'missing.jsonl')]);
  expect(badWindow.code).toBe(2);
  expect(badWindow.stderr).toContain('no such file');

  const noKey = await cli(['savings'], { PARSIMONY_API_KEY: undefined });
  expect(noKey.code).toBe(1);
  expect(noKey.stderr).toContain('PARSIMONY_API_KEY is not set');

  const wrongKey = await cli(['batch', 'status', 'batch_x'], { PARSIMONY_API_KEY: 'k-wrong' });
  expect(wrongKey.code).toBe(1);
  expect(wrongKey.stderr).toBe('parsimony: 401 Unknown API key.\n');
});
