import { generateWebhookSecret } from '../../shared/platform/webhooks/webhook-secrets';
import { startReceiver, type Receiver } from '../webhooks/receiver';
import { line, readJsonl, startBatchParsimony, upload, waitForBatch, type BatchParsimony } from './batch-helpers';

let p: BatchParsimony;
let receiver: Receiver;
const secret = generateWebhookSecret();

beforeAll(async () => {
  receiver = await startReceiver(secret);
  p = await startBatchParsimony('batch-roundtrip', { PARSIMONY_WEBHOOK_SECRETS: `acme:${secret}`, PARSIMONY_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' });
}, 120_000);
afterAll(async () => {
  await p.close();
  await receiver.close();
});

test('the openai SDK runs a whole batch: files.create → batches.create → poll → files.content, bad lines in the error file', async () => {
  const input = [
    line('c1', 'Classify the sentiment: I love this phone.', 'gpt-4.1-mini', { parsimony: { task: 'classify' } }), // 1
    line('c2', 'Summarise: the cat sat on the mat.', 'auto'), // 2
    '{"custom_id": "broken", "method": "POST", ', // 3: bad JSON
    JSON.stringify({ custom_id: 'c-url', method: 'POST', url: '/v1/embeddings', body: { model: 'gpt-4.1-mini', input: 'x' } }), // 4: wrong url
    line('c3', 'Translate to French: good morning.', 'claude-haiku-4-5'), // 5
    line('c1', 'A second line with the same custom_id.'), // 6: duplicate custom_id
    JSON.stringify({ method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x' }] } }), // 7: missing custom_id
    JSON.stringify({ custom_id: 'c-body', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4.1-mini', messages: [] } }), // 8: bad body
    JSON.stringify({ custom_id: 'c-get', method: 'GET', url: '/v1/chat/completions', body: {} }), // 9: wrong method
    '', // 10: blank, skipped
    line('c4', 'Extract the number from: order 4417 shipped.'), // 11
    line('c-model', 'x', 'no-such-model'), // 12: unknown model
  ].join('\n');
  const client = p.openai();
  const file = await upload(p, `${input}\n`);
  expect(file).toMatchObject({ object: 'file', purpose: 'batch', bytes: Buffer.byteLength(`${input}\n`), filename: 'input.jsonl' });

  const created = await client.batches.create({
    input_file_id: file.id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
    metadata: { callback_url: `${receiver.url}/batch-hook`, run: 'nightly' },
  });
  expect(created).toMatchObject({ object: 'batch', status: 'in_progress', input_file_id: file.id, completion_window: '24h', metadata: { run: 'nightly' } });
  expect(created.request_counts?.total).toBe(11);
  expect(created.expires_at! - created.created_at).toBe(24 * 3600);

  const done = await waitForBatch(p, created.id);
  expect(done.status).toBe('completed');
  expect(done.request_counts).toEqual({ total: 11, completed: 4, failed: 7 });
  expect(done.completed_at).toBeGreaterThanOrEqual(done.created_at);
  expect(done.usage?.input_tokens).toBeGreaterThan(0);

  const output = await readJsonl(p, done.output_file_id);
  // In input order.
  expect(output.map((l) => l.custom_id)).toEqual(['c1', 'c2', 'c3', 'c4']);
  for (const l of output) {
    expect(l.id).toMatch(/^batch_req_/);
    expect(l.error).toBeNull();
    expect(l.response.status_code).toBe(200);
    expect(l.response.body.object).toBe('chat.completion');
    expect(l.response.body.choices[0].message.content).toBeTruthy();
  }
  // The first c1 ran, not the duplicate.
  expect(output.find((l) => l.custom_id === 'c1').response.body.choices[0].message.content).not.toMatch(/second line/i);
  // Every line is a Parsimony job with the batch's deadline and latency, and its line's hints.
  expect(output[0].custom_id).toBe('c1');
  const job = await (await p.http(`/v1/jobs/${output[0].response.request_id}`)).json();
  expect(job).toMatchObject({ status: 'completed', latency: 'batch', task: 'classify' });
  expect(Date.parse(job.deadline)).toBe(created.expires_at! * 1000);

  const errors = await readJsonl(p, done.error_file_id);
  const byLine = Object.fromEntries(errors.map((e) => [e.error.line, e]));
  expect(errors.map((e) => e.error.line)).toEqual([3, 4, 6, 7, 8, 9, 12]);
  expect(byLine[3].error.code).toBe('invalid_json_line');
  expect(byLine[4]).toMatchObject({ custom_id: 'c-url', response: null, error: { code: 'invalid_url' } });
  expect(byLine[6]).toMatchObject({ custom_id: 'c1', error: { code: 'duplicate_custom_id' } });
  expect(byLine[6].error.message).toMatch(/line 1/);
  expect(byLine[7].error.code).toBe('missing_custom_id');
  expect(byLine[8]).toMatchObject({ custom_id: 'c-body', error: { code: 'invalid_body' } });
  expect(byLine[9].error.code).toBe('invalid_method');
  expect(byLine[12].error.message).toMatch(/no-such-model/);

  // Exactly one verified batch.completed reaches the callback (the sweeper and finalize may both run).
  const [hook] = await receiver.waitFor(1, '/batch-hook');
  await new Promise((r) => setTimeout(r, 600));
  expect(receiver.received.filter((r) => r.path === '/batch-hook')).toHaveLength(1);
  expect(hook.verified).toBeDefined();
  expect(hook.verified!.type).toBe('batch.completed');
  expect(hook.verified!.data).toMatchObject({ id: created.id, status: 'completed', output_file_id: done.output_file_id, request_counts: { total: 11, completed: 4, failed: 7 } });
  expect(hook.headers['webhook-id']).toMatch(/^msg_/);
}, 90_000);

test('output and error files belong to the batch owner only', async () => {
  const file = await upload(p, `${line('only', 'Say hi.')}\n`);
  const batch = await p.openai().batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '1h' as '24h' });
  expect(batch.expires_at! - batch.created_at).toBe(3600);
  const done = await waitForBatch(p, batch.id);
  expect(done.status).toBe('completed');
  expect(done.error_file_id).toBeNull();
  expect((await p.http(`/v1/files/${done.output_file_id}/content`, { tenant: 'globex' })).status).toBe(404);
  expect((await p.http(`/v1/files/${done.output_file_id}`)).status).toBe(200);
}, 90_000);
