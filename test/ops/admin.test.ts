import { ProducerEnvSchema, parseEnv } from '../../shared/platform/config/env';
import { QUEUES } from '../../shared/platform/queues/queue-catalog';
import { KEYS, startTestParsimony, type TestParsimony } from '../helpers/parsimony';

/** An error response body. */
interface ErrorBody {
  error: { type: string; message: string };
}

const ADMIN_KEY = 'admin-key-0123456789abcdef';
let p: TestParsimony;

beforeAll(async () => {
  p = await startTestParsimony('ops-admin', { PARSIMONY_ADMIN_KEY: ADMIN_KEY });
}, 120_000);
afterAll(async () => {
  await p.close();
});

const get = (path: string, authorization?: string) => fetch(`${p.url}${path}`, { headers: authorization ? { authorization } : {} });
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

test('/admin/queues without the admin key: 401 with a Basic challenge, in the standard error shape', async () => {
  for (const auth of [undefined, `Bearer ${KEYS.acme}`, 'Bearer wrong-admin-key-0000000', basic('admin', 'wrong')]) {
    const res = await get('/admin/queues', auth);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="Parsimony admin"/);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('authentication_error');
    expect(body.error.message).toContain('PARSIMONY_ADMIN_KEY');
  }
  // The board's JSON API is behind the same key.
  expect((await get('/admin/queues/api/queues')).status).toBe(401);
});

test('/admin/queues with the admin key (Bearer, or Basic with the key as password): bull-board over every queue', async () => {
  const page = await get('/admin/queues', `Bearer ${ADMIN_KEY}`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/text\/html/);
  const html = await page.text();
  const script = /src="(static\/js\/main[^"]+)"/.exec(html)?.[1];
  expect(script).toBeDefined();
  // The board's assets load with the same key (a browser resends the Basic credentials).
  expect((await get(`/admin/queues/${script}`, basic('ops', ADMIN_KEY))).status).toBe(200);
  expect((await get(`/admin/queues/${script}`)).status).toBe(401);

  const viaBrowserPrompt = await get('/admin/queues', basic('ops', ADMIN_KEY));
  expect(viaBrowserPrompt.status).toBe(200);

  const api = await get('/admin/queues/api/queues', `Bearer ${ADMIN_KEY}`);
  expect(api.status).toBe(200);
  const names = ((await api.json()) as { queues: { name: string }[] }).queues.map((q: { name: string }) => q.name).sort();
  expect(names).toEqual(Object.values(QUEUES).sort());
});

test('changes through the board must come from this origin (the browser resends Basic credentials anywhere)', async () => {
  const retry = (headers: Record<string, string>) => fetch(`${p.url}/admin/queues/api/queues/pipeline/retry/failed`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN_KEY}`, ...headers } });
  const crossSite: Record<string, string>[] = [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }];
  for (const headers of crossSite) {
    const res = await retry(headers);
    expect(res.status).toBe(403);
    expect(((await res.json()) as ErrorBody).error.type).toBe('permission_error');
  }
  // From the board's own page (same origin), or from a script without a browser, the change goes through.
  expect((await retry({ origin: p.url, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  expect((await retry({})).status).toBe(200);
});

test('a short admin key is refused at start-up with one line naming the variable', () => {
  expect(() => parseEnv(ProducerEnvSchema, { PARSIMONY_API_KEYS: 'acme:k', PARSIMONY_ADMIN_KEY: 'short' })).toThrow('invalid configuration: PARSIMONY_ADMIN_KEY must be at least 16 characters');
  expect(parseEnv(ProducerEnvSchema, { PARSIMONY_API_KEYS: 'acme:k', PARSIMONY_ADMIN_KEY: '' }).PARSIMONY_ADMIN_KEY).toBeUndefined();
});
