import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret } from '../../shared/platform/webhooks/webhook-secrets';
import { startBatchParsimony, type BatchParsimony } from '../batch-api/batch-helpers';
import { chatBody, waitForJob } from '../helpers/parsimony';
import { REDIS_URL } from '../helpers/redis';
import { startReceiver, type Receiver } from './receiver';
import type { toPublicDelivery } from '../../shared/platform/webhooks/delivery-log';

let p: BatchParsimony;
let receiver: Receiver;
const secret = generateWebhookSecret();

beforeAll(async () => {
  receiver = await startReceiver(secret);
  // globex has no configured secret: it gets a generated one.
  p = await startBatchParsimony('webhooks-delivery', {
    PARSIMONY_WEBHOOK_SECRETS: `acme:${secret}`,
    PARSIMONY_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    PARSIMONY_WEBHOOK_ATTEMPTS: '4',
    PARSIMONY_WEBHOOK_BACKOFF_MS: '100',
    PARSIMONY_WEBHOOK_BACKOFF_MAX_MS: '250',
  });
}, 120_000);
afterAll(async () => {
  await p.close();
  await receiver.close();
});

async function submit(path: string, tenant: 'acme' | 'globex' = 'acme', text = `webhook test ${path}`): Promise<string> {
  const res = await p.http('/v1/jobs', { method: 'POST', tenant, json: { request: chatBody(text), callback_url: `${receiver.url}${path}` } });
  expect(res.status).toBe(202);
  return (await res.json()).id;
}

type PublicDelivery = ReturnType<typeof toPublicDelivery>;

/** A page of GET /v1/webhook-deliveries. */
interface DeliveryPage {
  data: PublicDelivery[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

async function deliveries(tenant: 'acme' | 'globex' = 'acme', query = ''): Promise<DeliveryPage> {
  return (await p.http(`/v1/webhook-deliveries${query}`, { tenant })).json();
}

async function waitForDelivery(jobId: string, status: string, tenant: 'acme' | 'globex' = 'acme') {
  const until = Date.now() + 20_000;
  for (;;) {
    const found = (await deliveries(tenant, '?limit=100')).data.find((d) => d.subject.id === jobId);
    if (found && found.status === status) return found;
    if (Date.now() > until) throw new Error(`delivery of ${jobId} is ${JSON.stringify(found)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a failing receiver gets retries with the same webhook-id, each signed; the log shows every attempt; redeliver sends it again', async () => {
  receiver.respond.set('/flaky', (n) => (n < 2 ? 500 : 200));
  const jobId = await submit('/flaky');
  const hits = await receiver.waitFor(3, '/flaky');
  const delivery = await waitForDelivery(jobId, 'succeeded');

  const ids = new Set(hits.map((h) => h.headers['webhook-id']));
  expect(ids.size).toBe(1);
  for (const hit of hits) {
    expect(hit.verified).toBeDefined();
    expect(hit.verified!.type).toBe('job.completed');
    expect(hit.verified!.data).toMatchObject({ id: jobId, status: 'completed' });
  }
  // The same event body every time; a fresh timestamp and signature per attempt is allowed.
  expect(new Set(hits.map((h) => h.body)).size).toBe(1);

  expect(delivery).toMatchObject({ object: 'webhook_delivery', event_type: 'job.completed', webhook_id: [...ids][0], status: 'succeeded', next_retry_at: null, redeliveries: 0 });
  expect(delivery.attempts.map((a) => a.status_code)).toEqual([500, 500, 200]);
  expect(delivery.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
  for (const a of delivery.attempts) expect(Date.parse(a.at)).toBeGreaterThan(0);
  expect(delivery.delivered_at).toBeTruthy();
  expect(delivery.url).toBe(`${receiver.url}/flaky`);

  const single = await (await p.http(`/v1/webhook-deliveries/${delivery.id}`)).json();
  expect(single.attempts).toHaveLength(3);

  const redelivered = await p.http(`/v1/webhook-deliveries/${delivery.id}/redeliver`, { method: 'POST' });
  expect(redelivered.status).toBe(202);
  const again = await receiver.waitFor(4, '/flaky');
  expect(again[3].headers['webhook-id']).toBe([...ids][0]);
  expect(again[3].verified).toBeDefined();
  const after = await waitForDelivery(jobId, 'succeeded');
  expect(after.redeliveries).toBe(1);
  expect(after.attempts.length).toBe(4);
}, 40_000);

test('a receiver that never succeeds: attempts stop at PARSIMONY_WEBHOOK_ATTEMPTS, backing off, then failed', async () => {
  receiver.respond.set('/down', 503);
  const jobId = await submit('/down');
  const delivery = await waitForDelivery(jobId, 'failed');
  expect(delivery.attempts.map((a) => a.status_code)).toEqual([503, 503, 503, 503]);
  expect(delivery.next_retry_at).toBeNull();
  const times = delivery.attempts.map((a) => Date.parse(a.at));
  // 100 ms, 200 ms, then capped at 250 ms between attempts.
  expect(times[1] - times[0]).toBeGreaterThanOrEqual(90);
  expect(times[3] - times[2]).toBeGreaterThanOrEqual(240);
  expect(receiver.received.filter((r) => r.path === '/down')).toHaveLength(4);
}, 40_000);

test('a failed job sends job.failed', async () => {
  p.sim.faults.add({ match: { path: '/v1/chat/completions', contains: 'please fail this one' }, status: 400, message: 'bad request from provider' });
  const jobId = await submit('/failed', 'acme', 'please fail this one');
  const [hit] = await receiver.waitFor(1, '/failed');
  expect(hit.verified!.type).toBe('job.failed');
  expect(hit.verified!.data).toMatchObject({ id: jobId, status: 'failed' });
}, 30_000);

test('deliveries are tenant-scoped and paginated', async () => {
  const [a, b] = [await submit('/page-a', 'globex'), await submit('/page-b', 'globex')];
  await waitForJob(p, a, undefined, undefined, 'globex');
  await waitForJob(p, b, undefined, undefined, 'globex');
  await waitForDelivery(a, 'succeeded', 'globex');
  const second = await waitForDelivery(b, 'succeeded', 'globex');
  const page1 = await deliveries('globex', '?limit=1');
  expect(page1).toMatchObject({ object: 'list', has_more: true });
  expect(page1.data).toHaveLength(1);
  const page2 = await deliveries('globex', `?limit=1&after=${page1.last_id}`);
  expect(page2.data).toHaveLength(1);
  expect(new Set([page1.data[0].subject.id, page2.data[0].subject.id])).toEqual(new Set([a, b]));
  // acme does not see globex's deliveries, by list, by id or by redeliver.
  expect((await deliveries('acme', '?limit=100')).data.map((d) => d.id)).not.toContain(second.id);
  expect((await p.http(`/v1/webhook-deliveries/${second.id}`)).status).toBe(404);
  expect((await p.http(`/v1/webhook-deliveries/${second.id}/redeliver`, { method: 'POST' })).status).toBe(404);
  expect((await p.http('/v1/webhook-deliveries/whd_..%2F..%2Fetc')).status).toBe(404);
}, 30_000);

test('a tenant without a configured secret gets one generated, logged once, shared through Redis, and signatures verify with it', async () => {
  const jobId = await submit('/generated', 'globex');
  const [hit] = await receiver.waitFor(1, '/generated');
  const logged = p.logs.filter((l) => l.includes('generated a webhook signing secret for tenant globex'));
  expect(logged).toHaveLength(1);
  const generated = JSON.parse(logged[0]).webhook_signing_secret as string;
  expect(generated).toMatch(/^whsec_/);
  const payload = new Webhook(generated).verify(hit.body, hit.headers as Record<string, string>) as { data: { id: string } };
  expect(payload.data.id).toBe(jobId);
  expect(() => new Webhook(secret).verify(hit.body, hit.headers as Record<string, string>)).toThrow();
  const redis = new Redis(REDIS_URL);
  try {
    expect(await redis.get(`${p.prefix}:webhook-secret:globex`)).toBe(generated);
  } finally {
    redis.disconnect();
  }
}, 30_000);
