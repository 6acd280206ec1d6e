import { Redis } from 'ioredis';
import { Writable } from 'node:stream';
import { BatchFeeder } from '../../shared/surfaces/batch-api/batch-feeder';
import { BatchFinalizer, batchFileIds } from '../../shared/surfaces/batch-api/batch-finalizer';
import { BatchIntake, type BatchIntakeDeps } from '../../shared/surfaces/batch-api/batch-intake';
import { newBatchId, type BatchMeta, type StoredBatch } from '../../shared/surfaces/batch-api/batch-record';
import { BatchStore } from '../../shared/surfaces/batch-api/batch-store';
import { BatchSweeper } from '../../shared/surfaces/batch-api/batch-sweeper';
import { BatchTasks } from '../../shared/surfaces/batch-api/batch-tasks';
import { FileStore } from '../../shared/surfaces/batch-api/file-store';
import { jsonlLines } from '../../shared/surfaces/batch-api/jsonl-lines';
import { Queue } from 'bullmq';
import { JobOutcomes } from '../../shared/core/jobs/job-outcomes';
import { JobStore } from '../../shared/core/jobs/job-store';
import { createLogger } from '../../shared/platform/logging/logger';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis';
import { line } from './batch-helpers';

const prefix = uniquePrefix('batch-internals');
const log = createLogger({ service: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });
let redis: Redis;
let store: JobStore;
let outcomes: JobOutcomes;
let batches: BatchStore;
let files: FileStore;
let queue: Queue;
let tasks: BatchTasks;

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  store = new JobStore(redis, { prefix, retentionSeconds: 600 });
  outcomes = new JobOutcomes(store, prefix);
  batches = new BatchStore(redis, prefix);
  files = new FileStore(redis, prefix, 600);
  queue = new Queue('job-events', { connection: redis, prefix: `${prefix}:q` });
  tasks = new BatchTasks(queue);
});
afterAll(async () => {
  await queue.close();
  await deletePrefix(prefix);
  redis.disconnect();
});

async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function collect(text: string, size: number, max = 1000) {
  const out = [];
  for await (const l of jsonlLines(chunked(text, size), max)) out.push(l);
  return out;
}

describe('jsonlLines', () => {
  test('numbers lines like an editor, skips blanks, handles CRLF and a missing final newline', async () => {
    const lines = await collect('a\r\n\n  \nb\nc', 3);
    expect(lines).toEqual([
      { number: 1, text: 'a' },
      { number: 4, text: 'b' },
      { number: 5, text: 'c' },
    ]);
  });

  test('multi-byte characters split across chunks survive', async () => {
    const text = '{"x":"ünïcödé ✓ 日本語"}\n{"y":"😀"}\n';
    for (const size of [1, 2, 3, 5, 7]) expect((await collect(text, size)).map((l) => ('text' in l ? l.text : ''))).toEqual(['{"x":"ünïcödé ✓ 日本語"}', '{"y":"😀"}']);
  });

  test('a line over the limit is reported by number without being kept', async () => {
    const lines = await collect(`ok\n${'x'.repeat(50)}\nafter\n`, 8, 20);
    expect(lines).toEqual([
      { number: 1, text: 'ok' },
      { number: 2, tooLong: true, bytes: 50 },
      { number: 3, text: 'after' },
    ]);
  });
});

/** Moves the batch being validated (the only one in 'validating' in this file's index) to cancelling, as the route does. */
async function cancelValidating(): Promise<void> {
  for (const id of await redis.zrange(`${prefix}:batch-index:acme`, '0', '-1')) {
    const b = await batches.load(id);
    if (b?.status === 'validating') await batches.transition(id, ['validating'], 'cancelling', { cancelling_at: 1 });
  }
}

function intake(overrides: Partial<BatchIntakeDeps> = {}): BatchIntake {
  return new BatchIntake({
    files,
    batches,
    store,
    outcomes,
    tasks,
    checkModel: () => undefined,
    enqueueLines: async () => undefined,
    feedWindow: 100_000,
    allowHosts: [],
    lineMaxBytes: 1_000_000,
    retentionSeconds: 600,
    log,
    ...overrides,
  });
}

async function uploadText(text: string, tenant = 'acme'): Promise<string> {
  const writer = files.writer(tenant, { filename: 'in.jsonl', purpose: 'batch' });
  for await (const chunk of chunked(text, 64 * 1024)) await writer.write(chunk);
  return (await writer.commit()).id;
}

const input = (n: number) => Array.from({ length: n }, (_, i) => line(`c${i}`, `q${i}`)).join('\n');

async function jobsOf(batchId: string) {
  const entries = await batches.lines(batchId, 0, 100_000);
  return Promise.all(entries.map((e) => store.load(e.jobId)));
}

describe('BatchIntake', () => {
  test('a failure after some lines were stored cancels every created job and removes the batch', async () => {
    const fileId = await uploadText(input(2500));
    let checks = 0;
    const enqueued: string[] = [];
    const failing = intake({
      checkModel: () => {
        // The catalog goes away half-way through (not a bad line: an internal failure).
        if (++checks === 2200) throw new Error('catalog unavailable');
      },
      enqueueLines: async (jobs) => void enqueued.push(...jobs.map((j) => j.id)),
    });
    const indexBefore = await redis.zcard(`${prefix}:batch-index:acme`);
    await expect(failing.create('acme', { input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h' })).rejects.toThrow('catalog unavailable');
    expect(enqueued).toHaveLength(0);
    expect(await redis.zcard(`${prefix}:batch-index:acme`)).toBe(indexBefore);
    const stored = await Promise.all((await redis.keys(`${prefix}:job:*`)).map((k) => store.load(k.slice(`${prefix}:job:`.length))));
    // Only this test's input has a line c1999.
    const ofFailed = stored.filter((j) => j?.options.custom_id === 'c1999');
    expect(ofFailed.length).toBeGreaterThan(0);
    const batchId = ofFailed[0]!.options.batch_id!;
    expect(await batches.load(batchId)).toBeUndefined();
    const jobs = stored.filter((j) => j?.options.batch_id === batchId);
    expect(jobs).toHaveLength(2000);
    expect(jobs.every((j) => j!.status === 'cancelled')).toBe(true);
  });

  test('a client that goes away while lines are stored gets nothing created', async () => {
    const fileId = await uploadText(input(1500));
    const abort = new AbortController();
    abort.abort();
    const enqueued: string[] = [];
    const result = intake({ enqueueLines: async (jobs) => void enqueued.push(...jobs.map((j) => j.id)) }).create(
      'acme',
      { input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h' },
      abort.signal,
    );
    await expect(result).rejects.toThrow(/aborted/);
    expect(enqueued).toHaveLength(0);
  });

  test('lines are queued only after all are stored: the first window at once, the rest by the feeder', async () => {
    const fileId = await uploadText(input(1200));
    const queued: string[] = [];
    const enqueueLines = async (jobs: { id: string }[]) => {
      const first = await store.load(jobs[0].id);
      // Every line of the batch exists before the first is queued.
      expect((await batches.load(first!.options.batch_id!))!.lines).toBe(1200);
      queued.push(...jobs.map((j) => j.id));
    };
    const batch = await intake({ enqueueLines, feedWindow: 500 }).create('acme', { input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '30m' });
    expect(batch).toMatchObject({ status: 'in_progress', total: 1200, lines: 1200, fed: 500 });
    expect(queued).toHaveLength(500);
    expect(await queue.getJob(`feed-${batch.meta.id}`)).toBeDefined();
    const jobs = await jobsOf(batch.meta.id);
    expect(jobs[0]!.options).toMatchObject({ latency: 'batch', batch_id: batch.meta.id, custom_id: 'c0', deadline: new Date(batch.meta.expires_at * 1000).toISOString() });
    expect(jobs[1199]!.options.custom_id).toBe('c1199');

    // The feeder waits while the queue holds a full window, and stops when told to.
    let waiting = 500;
    const feeder = new BatchFeeder({ batches, enqueue: enqueueLines, waiting: async () => waiting, window: 500, pollMs: 10, log });
    let polls = 0;
    expect(await feeder.run(batch.meta.id, () => ++polls > 3)).toBe('paused');
    expect(queued).toHaveLength(500);
    // As the queue drains it feeds the rest, in order, once each.
    waiting = 100;
    expect(await feeder.run(batch.meta.id)).toBe('fed');
    expect(queued).toEqual(jobs.map((j) => j!.id));
    expect((await batches.load(batch.meta.id))!.fed).toBe(1200);
  });

  test('a batch cancelled while validating queues none of its lines and hands them to the cancel task', async () => {
    const fileId = await uploadText(input(1500));
    const queued: string[] = [];
    let checks = 0;
    const batch = await intake({
      checkModel: () => {
        // POST /v1/batches/:id/cancel arrives half-way through validation.
        if (++checks === 1200) void cancelValidating();
      },
      enqueueLines: async (jobs) => void queued.push(...jobs.map((j) => j.id)),
    }).create('acme', { input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(batch).toMatchObject({ status: 'cancelling', opened: true, total: 1500, fed: 0 });
    expect(queued).toHaveLength(0);
    expect(await queue.getJob(`cancel-${batch.meta.id}`)).toBeDefined();
  });
});

async function openBatch(lineCount: number, expiresIn = 3600): Promise<{ meta: BatchMeta; jobIds: string[] }> {
  const now = Math.floor(Date.now() / 1000);
  const meta: BatchMeta = {
    id: newBatchId(),
    tenant: 'acme',
    endpoint: '/v1/chat/completions',
    input_file_id: 'file-x',
    completion_window: '1h',
    created_at: now,
    expires_at: now + expiresIn,
    metadata: null,
  };
  await batches.create(meta, 60_000);
  const jobIds: string[] = [];
  for (let i = 0; i < lineCount; i++) {
    const id = JobStore.newId();
    jobIds.push(id);
    await redis.rpush(batches.linesKey(meta.id), `${i + 1}:${id}`);
    await store.create({
      id,
      tenant: 'acme',
      status: 'running',
      created_at: new Date().toISOString(),
      options: { requested_model: 'auto', latency: 'batch', batch_id: meta.id, custom_id: `c${i}` },
      request: { model: 'auto', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }], sampling: {} },
      attempts: 1,
    });
  }
  return { meta, jobIds };
}

test('a line reported twice is counted once', async () => {
  const { meta, jobIds } = await openBatch(2);
  await batches.open(meta.id, 2, 0);
  await outcomes.fail(jobIds[0], ['running'], { type: 'internal_error', message: 'y' });
  const first = await batches.recordLine(meta.id, jobIds[0], 'failed', 600);
  const again = await batches.recordLine(meta.id, jobIds[0], 'failed', 600);
  expect(first).toMatchObject({ status: 'in_progress', total: 2, completed: 0, failed: 1 });
  expect(again).toEqual(first);
});

test('the sweeper fails a batch whose intake died, cancelling its jobs', async () => {
  const { meta, jobIds } = await openBatch(3);
  await store.transition(jobIds[1], ['running'], 'queued');
  await store.transition(jobIds[2], ['running'], 'deferred');
  await batches.releaseLease(meta.id, 'intake');
  await new BatchSweeper({ batches, outcomes, tasks, log }).sweep();
  const failed = await batches.load(meta.id);
  expect(failed).toMatchObject({ status: 'failed', errors: [{ code: 'intake_interrupted' }] });
  expect((await store.load(jobIds[1]))!.status).toBe('cancelled');
  expect((await store.load(jobIds[2]))!.status).toBe('cancelled');
  // The running one is left alone (its result will be ignored).
  expect((await store.load(jobIds[0]))!.status).toBe('running');
  expect(await queue.getJob(`finalize-${meta.id}`)).toBeDefined();
});

test('a finalization that died half-way is redone cleanly: same file ids, no duplicated lines, one onFinal per run', async () => {
  const { meta, jobIds } = await openBatch(3);
  await batches.open(meta.id, 3, 0);
  for (const id of jobIds) await outcomes.fail(id, ['running'], { type: 'provider_error', message: 'boom', provider_status: 500 });
  for (const id of jobIds) await batches.recordLine(meta.id, id, 'failed', 600);
  // A previous finalizer got as far as 'finalizing' and wrote part of a file, then died (its lease lapsed).
  await batches.transition(meta.id, ['in_progress'], 'finalizing', { end: 'completed' });
  await redis.rpush(`${prefix}:file-upload:${batchFileIds(meta.id).error}`, 'stale partial content\n');
  const finals: StoredBatch[] = [];
  const finalizer = new BatchFinalizer({ batches, files, store, outcomes, retentionSeconds: 600, onFinal: async (b) => void finals.push(b), log });
  expect(await finalizer.run(meta.id)).toBe('completed');
  const done = await batches.load(meta.id);
  expect(done).toMatchObject({ status: 'completed', completed: 0, failed: 3, output_file_id: null, error_file_id: batchFileIds(meta.id).error });
  let text = '';
  for await (const chunk of files.chunks(done!.error_file_id!)) text += chunk.toString();
  const errorLines = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(errorLines.map((l) => l.custom_id)).toEqual(['c0', 'c1', 'c2']);
  // A provider 5xx is a 502 provider_error, as on the synchronous path (shared/core/errors/job-error-http.ts).
  expect(errorLines[0].response).toMatchObject({ status_code: 502, request_id: jobIds[0], body: { error: { message: 'boom', type: 'provider_error' } } });
  expect(finals).toHaveLength(1);
  // Running again only repeats onFinal (idempotent for webhooks) and changes nothing.
  expect(await finalizer.run(meta.id)).toBe('completed');
  expect(await batches.load(meta.id)).toMatchObject({ status: 'completed', failed: 3 });
});
