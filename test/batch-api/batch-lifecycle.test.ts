import { generateWebhookSecret } from '../../shared/platform/webhooks/webhook-secrets';
import { startReceiver, type Receiver } from '../webhooks/receiver';
import { line, readJsonl, startBatchParsimony, upload, waitForBatch, type BatchParsimony } from './batch-helpers';

let p: BatchParsimony;
let receiver: Receiver;
const secret = generateWebhookSecret();
beforeAll(async () => {
  receiver = await startReceiver(secret);
  // One line at a time, each answer 1.5 s late: lines stay unfinished long enough to cancel or expire them.
  // Two lines queued at a time: the rest go through the feeder.
  p = await startBatchParsimony('batch-lifecycle', {
    PARSIMONY_WEBHOOK_SECRETS: `acme:${secret}`,
    PARSIMONY_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    PARSIMONY_BATCH_FEED_WINDOW: '2',
    PARSIMONY_WORKER_CONCURRENCY: '1',
    PARSIMONY_BODY_LIMIT: '4kb',
    PARSIMONY_PROVIDER_TIMEOUT_MS: '10000',
  });
}, 120_000);
afterAll(async () => {
  p.sim.faults.clear();
  await p.close();
  await receiver.close();
});

const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => line(`${tag}-${i}`, `Question ${i} of ${tag}: what is ${i} plus ${i}?`)).join('\n');

async function create(text: string, window = '24h', tenant: 'acme' | 'globex' = 'acme', metadata?: Record<string, string>) {
  const file = await upload(p, text, tenant);
  return p.openai(tenant).batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: window as '24h', metadata });
}

describe('with slow answers', () => {
  beforeEach(() => p.sim.faults.add({ match: { path: '/v1/chat/completions' }, latency_ms: 1500, times: 0 }));
  afterEach(() => p.sim.faults.clear());

  test('cancel: cancelling at once, then cancelled; lines that had not run are in the error file as batch_cancelled', async () => {
    const batch = await create(lines(6, 'cancel'), '24h', 'acme', { callback_url: `${receiver.url}/cancelled` });
    const cancelling = await p.openai().batches.cancel(batch.id);
    expect(cancelling.status).toBe('cancelling');
    expect(cancelling.cancelling_at).toBeGreaterThan(0);
    // Cancelling again is harmless.
    expect((await p.openai().batches.cancel(batch.id)).status).toMatch(/cancell/);
    const done = await waitForBatch(p, batch.id);
    expect(done.status).toBe('cancelled');
    expect(done.cancelled_at).toBeGreaterThan(0);
    const output = await readJsonl(p, done.output_file_id);
    const errors = await readJsonl(p, done.error_file_id);
    expect(output.length + errors.length).toBe(6);
    expect(errors.length).toBeGreaterThanOrEqual(4);
    for (const e of errors) expect(e.error.code).toBe('batch_cancelled');
    expect(done.request_counts).toEqual({ total: 6, completed: output.length, failed: errors.length });
    // The cancelled lines are cancelled jobs, never run.
    const job = await (await p.http(`/v1/jobs/${errors[0].id.replace('batch_req_', 'job_')}`)).json();
    expect(job.status).toBe('cancelled');
    const [hook] = await receiver.waitFor(1, '/cancelled');
    expect(hook.verified).toMatchObject({ type: 'batch.cancelled', data: { id: batch.id, status: 'cancelled' } });
    // Cancelling a cancelled batch returns it unchanged.
    await expect(p.openai().batches.cancel(batch.id)).resolves.toMatchObject({ status: 'cancelled' });
  }, 60_000);

  test('a window that closes with lines unfinished ends the batch as expired', async () => {
    const batch = await create(lines(5, 'expire'), '2s', 'acme', { callback_url: `${receiver.url}/expired` });
    expect(batch.expires_at! - batch.created_at).toBe(2);
    const done = await waitForBatch(p, batch.id);
    expect(done.status).toBe('expired');
    expect(done.expired_at).toBeGreaterThanOrEqual(batch.expires_at!);
    const errors = await readJsonl(p, done.error_file_id);
    expect(errors.length).toBeGreaterThanOrEqual(4);
    for (const e of errors) expect(e.error.code).toBe('batch_expired');
    expect(done.request_counts!.failed).toBe(errors.length);
    const [hook] = await receiver.waitFor(1, '/expired');
    expect(hook.verified).toMatchObject({ type: 'batch.expired', data: { id: batch.id, status: 'expired' } });
  }, 60_000);
});

test('a completed batch cannot be cancelled (409)', async () => {
  const batch = await create(line('one', 'Say one.'));
  await waitForBatch(p, batch.id);
  const res = await p.http(`/v1/batches/${batch.id}/cancel`, { method: 'POST' });
  expect(res.status).toBe(409);
}, 60_000);

test('list: newest first, paginated with after/limit/has_more/first_id/last_id, and by the SDK auto-pager', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await create(line(`l${i}`, 'x'), '24h', 'globex')).id);
  const page1 = await (await p.http('/v1/batches?limit=2', { tenant: 'globex' })).json();
  expect(page1).toMatchObject({ object: 'list', has_more: true, first_id: ids[2], last_id: ids[1] });
  expect(page1.data.map((b: { id: string }) => b.id)).toEqual([ids[2], ids[1]]);
  const page2 = await (await p.http(`/v1/batches?limit=2&after=${ids[1]}`, { tenant: 'globex' })).json();
  expect(page2.data.map((b: { id: string }) => b.id)).toEqual([ids[0]]);
  expect(page2).toMatchObject({ has_more: false, first_id: ids[0], last_id: ids[0] });
  const all: string[] = [];
  for await (const b of p.openai('globex').batches.list({ limit: 1 })) all.push(b.id);
  expect(all).toEqual([ids[2], ids[1], ids[0]]);
  // Another tenant's batches are not listed, and a cursor from them is refused.
  const acme = await (await p.http('/v1/batches?limit=100')).json();
  expect(acme.data.map((b: { id: string }) => b.id)).not.toContain(ids[0]);
  expect((await p.http(`/v1/batches?after=${ids[0]}`)).status).toBe(400);
}, 60_000);

test('tenant isolation: another tenant gets 404 for a batch, its cancel and its input file', async () => {
  const batch = await create(line('mine', 'x'));
  expect((await p.http(`/v1/batches/${batch.id}`, { tenant: 'globex' })).status).toBe(404);
  expect((await p.http(`/v1/batches/${batch.id}/cancel`, { method: 'POST', tenant: 'globex' })).status).toBe(404);
  const stolen = await p.http('/v1/batches', { method: 'POST', tenant: 'globex', json: { input_file_id: batch.input_file_id, endpoint: '/v1/chat/completions', completion_window: '24h' } });
  expect(stolen.status).toBe(404);
}, 60_000);

describe('bad input is refused and creates nothing', () => {
  let fileId: string;
  beforeAll(async () => {
    fileId = (await upload(p, line('ok', 'x'))).id;
  });
  const post = (json: unknown) => p.http('/v1/batches', { method: 'POST', json });
  const body = (extra: Record<string, unknown>) => ({ input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h', ...extra });

  test.each([
    ['a wrong endpoint', { endpoint: '/v1/embeddings' }, 400, /endpoint/],
    ['a window over 24h', { completion_window: '48h' }, 400, /completion_window/],
    ['a malformed window', { completion_window: 'soon' }, 400, /completion_window/],
    ['an unknown field', { priority: 'high' }, 400, /priority/],
    ['an unknown file', { input_file_id: 'file-doesnotexist' }, 404, /not found/],
    ['a junk file id', { input_file_id: '../../etc/passwd' }, 404, /not found/],
    ['a private callback', { metadata: { callback_url: 'http://10.0.0.7/hook' } }, 400, /callback_url/],
    ['a loopback callback', { metadata: { callback_url: 'http://localhost:9/hook' } }, 400, /callback_url/],
    ['too much metadata', { metadata: { blob: 'x'.repeat(5000) } }, 413, /large/],
  ])('%s', async (_name, extra, status, message) => {
    const before = (await (await p.http('/v1/batches?limit=100')).json()).data.length;
    const res = await post(body(extra));
    expect(res.status).toBe(status);
    expect((await res.json()).error.message).toMatch(message);
    expect((await (await p.http('/v1/batches?limit=100')).json()).data.length).toBe(before);
  });

  test('a file with no valid line is a 400 naming the lines, and no batch or job is left', async () => {
    const bad = ['{not json', JSON.stringify({ custom_id: 'x', method: 'POST', url: '/v1/completions', body: {} })].join('\n');
    const file = await upload(p, bad);
    const before = (await (await p.http('/v1/batches?limit=100')).json()).data.length;
    const res = await post(body({ input_file_id: file.id }));
    expect(res.status).toBe(400);
    const message = (await res.json()).error.message;
    expect(message).toMatch(/line 1/);
    expect(message).toMatch(/line 2/);
    expect((await (await p.http('/v1/batches?limit=100')).json()).data.length).toBe(before);
  });
});
