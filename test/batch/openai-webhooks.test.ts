import { createServer } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { TestResponse } from '../helpers/parsimony';
import { batchJob, startBatchHarness, type BatchHarness } from './harness';

/**
 * POST /webhooks/openai: OpenAI's signed batch webhooks (Standard Webhooks)
 * trigger an immediate check of the provider batch. Bad signatures and stale
 * timestamps are 400; an event id is processed once.
 */
const SECRET = `whsec_${Buffer.from('parsimony-batch-webhook-test-key-0123').toString('base64')}`;
let h: BatchHarness;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  const port = await freePort();
  h = await startBatchHarness('openai-webhooks', {
    sim: { batchSeconds: 0.5, webhook: { url: `http://127.0.0.1:${port}/webhooks/openai`, secret: SECRET } },
    // Polling alone would first look after 30 s: only the webhook can finish these jobs quickly.
    env: { PORT: String(port), OPENAI_WEBHOOK_SECRET: SECRET, PARSIMONY_BATCH_POLL_SECONDS: '30', PARSIMONY_BATCH_POLL_MAX_SECONDS: '60' },
  });
}, 120_000);
afterAll(() => h.close());

function post(body: string, headers: Record<string, string>): Promise<TestResponse> {
  return fetch(`${h.url}/webhooks/openai`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }) as Promise<TestResponse>;
}

function signed(event: object, at = new Date(), id = `wh_${Math.random().toString(36).slice(2)}`) {
  const body = JSON.stringify(event);
  return { body, headers: { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(SECRET).sign(id, at, body) } };
}

test('the provider’s batch.completed webhook completes the jobs without waiting for a poll', async () => {
  const ids = await Promise.all([1, 2].map((i) => h.submit(batchJob('gpt-4.1-mini', `Classify ticket TCK-${i}`))));
  const jobs = await Promise.all(ids.map((id) => h.waitFor(id, undefined, 20_000)));
  expect(jobs.every((j) => j.status === 'completed' && j.delivered_by === 'batch')).toBe(true);
  expect(h.logs.some((l) => l.includes('OpenAI batch webhook accepted'))).toBe(true);
  // One status check, the one the webhook asked for: no poll ran.
  expect(h.sim.stats().requests['/v1/batches/:id']).toBe(1);
});

test('a bad signature is rejected with 400', async () => {
  const { body, headers } = signed({ id: 'evt_bad', object: 'event', type: 'batch.completed', created_at: 1, data: { id: 'batch_x' } });
  const res = await post(body, { ...headers, 'webhook-signature': 'v1,' + Buffer.from('forged').toString('base64') });
  expect(res.status).toBe(400);
  expect((await res.json()).error.type).toBe('invalid_request_error');
  // A body changed after signing fails too.
  const tampered = await post(body.replace('batch_x', 'batch_y'), headers);
  expect(tampered.status).toBe(400);
});

test('a stale timestamp is rejected with 400', async () => {
  const { body, headers } = signed({ id: 'evt_old', object: 'event', type: 'batch.completed', created_at: 1, data: { id: 'batch_x' } }, new Date(Date.now() - 10 * 60_000));
  const res = await post(body, headers);
  expect(res.status).toBe(400);
});

test('a replayed event is acknowledged but processed once', async () => {
  const event = { id: `evt_replay_${Date.now()}`, object: 'event', type: 'batch.completed', created_at: Math.floor(Date.now() / 1000), data: { id: 'batch_not_ours' } };
  const first = signed(event);
  const res1 = await post(first.body, first.headers);
  expect(res1.status).toBe(200);
  expect(await res1.json()).toEqual({ received: true });
  // The same event again (OpenAI retries with a new delivery, or an attacker replays it).
  const again = signed(event);
  const res2 = await post(again.body, again.headers);
  expect(res2.status).toBe(200);
  expect(await res2.json()).toEqual({ received: true, duplicate: true });
  const replay = await post(first.body, first.headers);
  expect(await replay.json()).toEqual({ received: true, duplicate: true });
  // Other event types are acknowledged and ignored.
  const other = signed({ id: 'evt_other', object: 'event', type: 'response.completed', created_at: 1, data: { id: 'resp_1' } });
  expect(await (await post(other.body, other.headers)).json()).toEqual({ received: true, ignored: true });
});
