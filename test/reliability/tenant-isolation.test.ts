import { createHash } from 'node:crypto';
import { toFile } from 'openai';
import { startTestParsimony, waitForJob, chatBody, type TestParsimony, type TestResponse } from '../helpers/parsimony';
import { startReceiver, type Receiver } from '../webhooks/receiver';

/**
 * Tenant isolation: tenant B (globex) tries every kind of tenant A's (acme)
 * resource by id — jobs, files, batches, webhook deliveries, cache entries,
 * savings, prompt variants, purge — and every attempt looks exactly like a
 * missing resource: 404, an error body and nothing else. The cache never
 * serves one tenant's answer to another, even for identical text.
 */
let p: TestParsimony;
let receiver: Receiver;
const acme: { syncJob?: string; asyncJob?: string; file?: string; batch?: string; delivery?: string; cacheEntry?: string; prompt?: string } = {};
const SECRET_TEXT = 'acme-secret-7731: what is the capital of Australia?';

beforeAll(async () => {
  process.env.SIM_BATCH_SECONDS = '0.3';
  receiver = await startReceiver();
  p = await startTestParsimony('isolation', {
    PARSIMONY_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    PARSIMONY_BATCH_SWEEP_MS: '200',
    PARSIMONY_BATCH_MAX_WAIT_SECONDS: '0.2',
    PARSIMONY_BATCH_FLUSH_INTERVAL_MS: '100',
    PARSIMONY_BATCH_POLL_SECONDS: '0.2',
    PARSIMONY_BATCH_POLL_MAX_SECONDS: '0.5',
  });

  // Tenant A's resources, one of each kind.
  const sync = await p.http('/v1/chat/completions', { method: 'POST', json: chatBody(SECRET_TEXT) });
  expect(sync.status).toBe(200);
  acme.syncJob = sync.headers.get('x-parsimony-job-id')!;
  const queued = await (await p.http('/v1/jobs', { method: 'POST', json: { request: chatBody('acme queued job 4412'), callback_url: `${receiver.url}/hook` } })).json();
  acme.asyncJob = queued.id;
  await waitForJob(p, queued.id);
  const file = await p.openai().files.create({
    file: await toFile(Buffer.from(`${JSON.stringify({ custom_id: 'a1', method: 'POST', url: '/v1/chat/completions', body: chatBody('acme batch line 9901') })}\n`), 'acme.jsonl'),
    purpose: 'batch',
  });
  acme.file = file.id;
  const batch = await p.openai().batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  acme.batch = batch.id;
  await receiver.waitFor(1, '/hook');
  for (let i = 0; i < 100 && !acme.delivery; i++) {
    const list = await (await p.http('/v1/webhook-deliveries')).json();
    acme.delivery = list.data?.[0]?.id;
    if (!acme.delivery) await new Promise((r) => setTimeout(r, 50));
  }
  // A cache entry of A's: ask until the exact tier serves it.
  for (let i = 0; i < 100 && !acme.cacheEntry; i++) {
    const again = await p.http('/v1/chat/completions', { method: 'POST', json: chatBody(SECRET_TEXT) });
    if (again.headers.get('x-parsimony-cache') === 'hit') acme.cacheEntry = (await (await p.http(`/v1/jobs/${again.headers.get('x-parsimony-job-id')}`)).json()).cache.entry_id;
    else await new Promise((r) => setTimeout(r, 50));
  }
  const original = 'You are Acme support. Always be polite and verify the customer id before anything else, every time.';
  const compressed = 'You are polite Acme support. Verify the customer id first.';
  const sha = (t: string) => createHash('sha256').update(t).digest('hex');
  const registered = await p.http('/v1/prompts', {
    method: 'POST',
    json: {
      original,
      compressed,
      regression_report: {
        cases: 20,
        original_sha256: sha(original),
        compressed_sha256: sha(compressed),
        model: 'gpt-4.1-mini',
        agreement: 0.99,
        exact: 0.95,
        json_equal: null,
        similarity: 0.99,
        tokens: { original: 600, compressed: 300, saved: 300, saved_pct: 0.5 },
      },
    },
  });
  expect(registered.status).toBe(201);
  acme.prompt = sha(original);
}, 120_000);

afterAll(async () => {
  await p?.close();
  await receiver?.close();
  delete process.env.SIM_BATCH_SECONDS;
});

/** A 404 whose body is the error shape only, and mentions nothing of A's but the id B itself sent. */
async function expectNotFound(res: TestResponse, sentId: string) {
  expect(res.status).toBe(404);
  const body = await res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.type).toBe('not_found_error');
  const leaked = body.error.message.replace(sentId, '');
  for (const secret of ['acme', 'acme-secret-7731', 'acme batch line', 'acme queued job']) expect(leaked).not.toContain(secret);
}

test('setup: tenant A holds one resource of each kind', () => {
  expect(acme).toEqual({
    syncJob: expect.stringMatching(/^job_/),
    asyncJob: expect.stringMatching(/^job_/),
    file: expect.any(String),
    batch: expect.any(String),
    delivery: expect.any(String),
    cacheEntry: expect.any(String),
    prompt: expect.stringMatching(/^[a-f0-9]{64}$/),
  });
});

test("B cannot read or cancel A's jobs (sync and queued)", async () => {
  for (const id of [acme.syncJob!, acme.asyncJob!]) {
    await expectNotFound(await p.http(`/v1/jobs/${id}`, { tenant: 'globex' }), id);
    await expectNotFound(await p.http(`/v1/jobs/${id}`, { method: 'DELETE', tenant: 'globex' }), id);
    // A still sees it, unchanged.
    expect((await p.http(`/v1/jobs/${id}`)).status).toBe(200);
  }
});

test("B cannot read, download or delete A's file, nor start a batch from it", async () => {
  const id = acme.file!;
  await expectNotFound(await p.http(`/v1/files/${id}`, { tenant: 'globex' }), id);
  await expectNotFound(await p.http(`/v1/files/${id}/content`, { tenant: 'globex' }), id);
  await expectNotFound(await p.http(`/v1/files/${id}`, { method: 'DELETE', tenant: 'globex' }), id);
  const create = await p.http('/v1/batches', { method: 'POST', tenant: 'globex', json: { input_file_id: id, endpoint: '/v1/chat/completions', completion_window: '24h' } });
  expect([400, 404]).toContain(create.status);
  expect(JSON.stringify(await create.json())).not.toContain('acme batch line');
  const list = await (await p.http('/v1/files', { tenant: 'globex' })).json();
  expect(list.data.map((f: { id: string }) => f.id)).not.toContain(id);
  expect((await p.http(`/v1/files/${id}`)).status).toBe(200);
});

test("B cannot read or cancel A's batch, nor see it listed", async () => {
  const id = acme.batch!;
  await expectNotFound(await p.http(`/v1/batches/${id}`, { tenant: 'globex' }), id);
  await expectNotFound(await p.http(`/v1/batches/${id}/cancel`, { method: 'POST', tenant: 'globex' }), id);
  const list = await (await p.http('/v1/batches', { tenant: 'globex' })).json();
  expect(list.data.map((b: { id: string }) => b.id)).not.toContain(id);
  expect((await p.http(`/v1/batches/${id}`)).status).toBe(200);
});

test("B cannot read or redeliver A's webhook deliveries, nor see them listed", async () => {
  const id = acme.delivery!;
  await expectNotFound(await p.http(`/v1/webhook-deliveries/${id}`, { tenant: 'globex' }), id);
  const before = receiver.received.length;
  await expectNotFound(await p.http(`/v1/webhook-deliveries/${id}/redeliver`, { method: 'POST', tenant: 'globex' }), id);
  const list = await (await p.http('/v1/webhook-deliveries', { tenant: 'globex' })).json();
  expect(list.data).toEqual([]);
  await new Promise((r) => setTimeout(r, 200));
  expect(receiver.received.length).toBe(before);
});

test("the cache never serves A's answer to B, even for identical text; B cannot delete or purge A's entries", async () => {
  const calls = p.sim.stats().chat_calls;
  const res = await p.http('/v1/chat/completions', { method: 'POST', tenant: 'globex', json: chatBody(SECRET_TEXT) });
  expect(res.status).toBe(200);
  expect(res.headers.get('x-parsimony-cache')).toBe('miss');
  expect(p.sim.stats().chat_calls).toBe(calls + 1);

  await expectNotFound(await p.http(`/v1/cache/entries/${acme.cacheEntry}`, { method: 'DELETE', tenant: 'globex' }), acme.cacheEntry!);
  const purge = await (await p.http('/v1/cache/purge', { method: 'POST', tenant: 'globex', json: {} })).json();
  expect(purge.object).toBe('cache.purge');
  // A's entry survived both: A still gets its hit.
  const again = await p.http('/v1/chat/completions', { method: 'POST', json: chatBody(SECRET_TEXT) });
  expect(again.headers.get('x-parsimony-cache')).toBe('hit');
});

test("B's savings report holds none of A's jobs", async () => {
  const a = await (await p.http('/v1/savings')).json();
  const b = await (await p.http('/v1/savings', { tenant: 'globex' })).json();
  expect(a.requests).toBeGreaterThanOrEqual(3);
  // B made exactly one completed request (the cache probe above).
  expect(b.requests).toBe(1);
  expect(b.baseline_usd).toBeLessThan(a.baseline_usd);
});

test("B cannot see or withdraw A's prompt variants", async () => {
  const list = await (await p.http('/v1/prompts', { tenant: 'globex' })).json();
  expect(list.data).toEqual([]);
  await expectNotFound(await p.http(`/v1/prompts/${acme.prompt}`, { method: 'DELETE', tenant: 'globex' }), acme.prompt!);
  expect((await (await p.http('/v1/prompts')).json()).data).toHaveLength(1);
});

test('ids that are not ids (path fragments, other tenants named in them) answer 404 too', async () => {
  for (const id of ['..%2F..%2Facme', `${acme.asyncJob}%00`, `acme:${acme.asyncJob}`, '%2e%2e']) {
    const res = await p.http(`/v1/jobs/${id}`, { tenant: 'globex' });
    expect(res.status).toBe(404);
    expect(Object.keys(await res.json())).toEqual(['error']);
  }
});
