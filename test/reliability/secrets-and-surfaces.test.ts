import * as crypto from 'node:crypto';
import { inspect } from 'node:util';
import { toFile } from 'openai';
import { ApiKeyRing } from '../../shared/platform/config/api-keys';
import { generateWebhookSecret } from '../../shared/platform/webhooks/webhook-secrets';
import { chatBody, KEYS, startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';
import { startReceiver, type Receiver } from '../webhooks/receiver';
import type { toPublicDelivery } from '../../shared/platform/webhooks/delivery-log';

type PublicDelivery = ReturnType<typeof toPublicDelivery>;

/** An error response body. */
interface ErrorBody {
  error: { type: string; message: string };
}

/**
 * Secrets and attack surfaces: API keys kept hashed and compared in constant
 * time; provider keys, tenant keys and webhook secrets never in the logs of
 * a full run; helmet headers on the dashboard; body size limits; callback
 * URLs refused when they point inside (IPs, names resolving there,
 * redirects); the admin surface behind the admin key only.
 */
const ADMIN_KEY = 'admin-key-for-reliability-0123456789';
const PROVIDER_KEYS = { openai: 'sk-reliability-openai-5f3e9d1c', anthropic: 'sk-ant-reliability-8b2a7c4e' };
const WEBHOOK_SECRETS = { acme: generateWebhookSecret(), globex: generateWebhookSecret() };

let p: TestParsimony;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver(WEBHOOK_SECRETS.acme);
  p = await startTestParsimony('secrets', {
    OPENAI_API_KEY: PROVIDER_KEYS.openai,
    ANTHROPIC_API_KEY: PROVIDER_KEYS.anthropic,
    PARSIMONY_WEBHOOK_SECRETS: `acme:${WEBHOOK_SECRETS.acme},globex:${WEBHOOK_SECRETS.globex}`,
    PARSIMONY_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    PARSIMONY_WEBHOOK_BACKOFF_MS: '50',
    PARSIMONY_WEBHOOK_BACKOFF_MAX_MS: '100',
    PARSIMONY_WEBHOOK_ATTEMPTS: '2',
    PARSIMONY_ADMIN_KEY: ADMIN_KEY,
    PARSIMONY_BODY_LIMIT: '64kb',
    PARSIMONY_FILE_MAX_BYTES: '4096',
    LOG_LEVEL: 'debug',
  });
}, 120_000);

afterAll(async () => {
  await p?.close();
  await receiver?.close();
});

describe('API keys', () => {
  test('only SHA-256 digests are kept: no key in the object, its JSON or its inspection', () => {
    const ring = new ApiKeyRing('acme:k-plain-acme-secret,globex:k-plain-globex-secret');
    for (const view of [JSON.stringify(ring), inspect(ring, { depth: 10, showHidden: true })]) {
      expect(view).not.toContain('k-plain-acme-secret');
      expect(view).not.toContain('k-plain-globex-secret');
    }
    const entries = (ring as unknown as { entries: { digest: Buffer }[] }).entries;
    expect(entries).toHaveLength(2);
    expect(entries[0].digest).toEqual(crypto.createHash('sha256').update('k-plain-acme-secret').digest());
    expect(ring.tenantFor('k-plain-globex-secret')).toBe('globex');
    expect(ring.tenantFor('k-plain-globex-secre')).toBeUndefined();
    expect(ring.tenantFor('')).toBeUndefined();
  });

  test('every lookup compares against every entry with timingSafeEqual, whichever matches (or none)', () => {
    const ring = new ApiKeyRing('a:k-1,b:k-2,c:k-3,d:k-4');
    // The module object itself (the namespace import above is a frozen view of it).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.spyOn needs the mutable module object
    const spy = jest.spyOn(require('node:crypto') as typeof crypto, 'timingSafeEqual');
    try {
      for (const key of ['k-1', 'k-4', 'nope', 'k-1-but-longer-than-any-key']) {
        spy.mockClear();
        ring.tenantFor(key);
        expect(spy).toHaveBeenCalledTimes(4);
        // Digests of equal length, so timingSafeEqual never throws early on a length mismatch.
        for (const [x, y] of spy.mock.calls) expect([x.byteLength, y.byteLength]).toEqual([32, 32]);
      }
    } finally {
      spy.mockRestore();
    }
  });
});

describe('logs of a full run', () => {
  test('never hold a provider key, a tenant API key or a webhook secret', async () => {
    // A run touching every path that logs: fast path, queued job with a webhook (a failing then succeeding receiver),
    // provider errors (401, 500), a batch, an unknown key, a 4xx.
    receiver.respond.set('/hook', (n) => (n === 0 ? 500 : 200));
    p.sim.faults.add({ status: 500, times: 1, match: { contains: 'log-500' } });
    p.sim.faults.add({ status: 401, times: 1, match: { contains: 'log-401' } });
    await p.openai().chat.completions.create(chatBody('log run fast path') as never);
    await p.openai().chat.completions.create(chatBody('log-500 then ok') as never);
    await p
      .openai()
      .chat.completions.create(chatBody('log-401 fails') as never)
      .catch(() => undefined);
    await p.http('/v1/chat/completions', { method: 'POST', json: { ...chatBody('anthropic route'), model: 'claude-haiku-4-5' } });
    const { id } = await (await p.http('/v1/jobs', { method: 'POST', json: { request: chatBody('log run queued'), callback_url: `${receiver.url}/hook` } })).json();
    await waitForJob(p, id);
    await receiver.waitFor(2, '/hook');
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const file = await p.openai().files.create({
      file: await toFile(Buffer.from(`${JSON.stringify({ custom_id: 'x', method: 'POST', url: '/v1/chat/completions', body: chatBody('log batch') })}\n`), 'b.jsonl'),
      purpose: 'batch',
    });
    await p.openai().batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await fetch(`${p.url}/v1/jobs/x`, { headers: { authorization: 'Bearer k-wrong-key-in-log-test' } });
    await p.http('/v1/jobs', { method: 'POST', json: { nope: true } });
    await new Promise((r) => setTimeout(r, 300));

    const logs = p.logs.join('\n');
    expect(p.logs.length).toBeGreaterThan(10);
    for (const secret of [...Object.values(PROVIDER_KEYS), ...Object.values(KEYS), ...Object.values(WEBHOOK_SECRETS), ADMIN_KEY, 'k-wrong-key-in-log-test']) {
      expect(logs).not.toContain(secret);
      // Nor the base64 body of a whsec_ secret on its own.
      if (secret.startsWith('whsec_')) expect(logs).not.toContain(secret.slice('whsec_'.length));
    }
  }, 30_000);
});

describe('HTTP surfaces', () => {
  test('the dashboard carries helmet headers and a self-only CSP; the API does not announce itself', async () => {
    const res = await fetch(`${p.url}/dashboard`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    const api = await p.http('/v1/jobs/job_x');
    expect(api.headers.get('x-powered-by')).toBeNull();
  });

  test('bodies over the limit are refused with 413 in the error shape (JSON and file uploads)', async () => {
    const big = await p.http('/v1/chat/completions', { method: 'POST', json: chatBody('x'.repeat(100 * 1024)) });
    expect(big.status).toBe(413);
    expect((await big.json()).error.type).toBe('request_too_large');
    const upload = await p
      .openai()
      .files.create({ file: await toFile(Buffer.alloc(8192, 'a'), 'big.jsonl'), purpose: 'batch' })
      .catch((e) => e);
    expect(upload.status).toBe(413);
    expect(upload.error?.type ?? upload.type).toBe('request_too_large');
  });

  test('callback URLs pointing inside are refused at submission: IPs, names resolving there, other schemes', async () => {
    const refused = [
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://127.0.0.2/hook',
      'http://0.0.0.0/hook',
      'http://100.64.0.1/hook',
      'http://localhost/hook', // a name that resolves to loopback
      'http://vm/hook', // another, from /etc/hosts
      'file:///etc/passwd',
      'gopher://127.0.0.1/',
    ];
    for (const url of refused) {
      const res = await p.http('/v1/jobs', { method: 'POST', json: { request: chatBody('ssrf'), callback_url: url } });
      expect([url, res.status]).toEqual([url, 400]);
      expect((await res.json()).error.type).toBe('invalid_request_error');
    }
    const batchFile = await p.openai().files.create({
      file: await toFile(Buffer.from(`${JSON.stringify({ custom_id: 'y', method: 'POST', url: '/v1/chat/completions', body: chatBody('ssrf batch') })}\n`), 'c.jsonl'),
      purpose: 'batch',
    });
    const batch = await p.http('/v1/batches', {
      method: 'POST',
      json: { input_file_id: batchFile.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { callback_url: 'http://localhost:9/x' } },
    });
    expect(batch.status).toBe(400);
  });

  test('a callback that redirects is not followed: the attempt fails, the target is never reached', async () => {
    receiver.respond.set('/redirect-me', 302);
    const { id } = await (await p.http('/v1/jobs', { method: 'POST', json: { request: chatBody('redirecting hook'), callback_url: `${receiver.url}/redirect-me` } })).json();
    await waitForJob(p, id);
    await receiver.waitFor(2, '/redirect-me');
    const until = Date.now() + 10_000;
    let delivery: PublicDelivery | undefined;
    while (Date.now() < until) {
      delivery = ((await (await p.http('/v1/webhook-deliveries?limit=100')).json()) as { data: PublicDelivery[] }).data.find((d) => d.subject?.id === id);
      if (delivery?.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(delivery!.status).toBe('failed');
    expect(delivery!.attempts.map((a) => a.status_code)).toEqual([302, 302]);
    expect(receiver.received.some((r) => r.path === '/redirected')).toBe(false);
  });

  test('admin endpoints answer only to the admin key: not to none, a wrong one, or a tenant key', async () => {
    for (const authorization of [undefined, 'Bearer wrong-admin-key-0123456789', `Bearer ${KEYS.acme}`, `Basic ${Buffer.from(`acme:${KEYS.acme}`).toString('base64')}`]) {
      const res = await fetch(`${p.url}/admin/queues`, { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(((await res.json()) as ErrorBody).error.type).toBe('authentication_error');
    }
    const ok = await fetch(`${p.url}/admin/queues`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(ok.status).toBe(200);
    // And the admin key is no tenant key.
    expect((await fetch(`${p.url}/v1/jobs/x`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(401);
    const api = await fetch(`${p.url}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${KEYS.globex}` } });
    expect(api.status).toBe(401);
  });
});
