import { startTestParsimony, chatBody, type TestParsimony } from '../helpers/parsimony';
import { assertCallbackAllowed, isPrivateAddress } from '../../shared/platform/webhooks/ssrf-guard';
import { sendWebhook } from '../../shared/platform/webhooks/webhook-sender';
import { startReceiver, type Receiver } from './receiver';

describe('isPrivateAddress', () => {
  test.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    'fc12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::',
    '[::1]',
    'not-an-ip',
  ])('%s is refused', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  test.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:0808:0808::'])('%s is public', (ip) => expect(isPrivateAddress(ip)).toBe(false));
});

describe('assertCallbackAllowed', () => {
  const resolveTo = (addresses: string[]) => async () => addresses;

  test.each([
    ['loopback', 'http://127.0.0.1:8080/hook'],
    ['a 10.x address', 'https://10.0.0.5/hook'],
    ['the metadata address', 'http://169.254.169.254/latest/meta-data'],
    ['IPv6 loopback', 'http://[::1]:9000/hook'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook'],
    ['a decimal loopback', 'http://2130706433/hook'],
    ['localhost (resolves to 127.0.0.1)', 'http://localhost:9000/hook'],
    ['a non-http scheme', 'ftp://example.com/hook'],
    ['a file URL', 'file:///etc/passwd'],
  ])('refuses %s', async (_name, url) => {
    await expect(assertCallbackAllowed(url)).rejects.toThrow();
  });

  test('refuses a public-looking name that resolves to a private address', async () => {
    await expect(assertCallbackAllowed('https://hooks.example.com/x', { resolve: resolveTo(['93.184.216.34', '10.0.0.8']) })).rejects.toThrow(/10\.0\.0\.8/);
    await expect(assertCallbackAllowed('https://hooks.example.com/x', { resolve: resolveTo(['93.184.216.34']) })).resolves.toBeUndefined();
  });

  test('the allow-list opts a host in, by exact host only', async () => {
    await expect(assertCallbackAllowed('http://127.0.0.1:8080/hook', { allowHosts: ['127.0.0.1'] })).resolves.toBeUndefined();
    await expect(assertCallbackAllowed('http://localhost:8080/hook', { allowHosts: ['127.0.0.1'] })).rejects.toThrow(/127\.0\.0\.1/);
    await expect(assertCallbackAllowed('http://[::1]:8080/hook', { allowHosts: ['::1'] })).resolves.toBeUndefined();
  });
});

describe('at delivery time', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  }, 120_000);
  afterAll(async () => {
    await receiver.close();
  });
  const send = (url: string, allowHosts: string[] = []) => sendWebhook(url, {}, '{}', { timeoutMs: 2000, allowHosts });

  test('a name resolving to loopback is refused before connecting; allow-listed it is delivered', async () => {
    const port = new URL(receiver.url).port;
    const refused = await send(`http://localhost:${port}/dns`);
    expect(refused).toMatchObject({ refused: true, status_code: null });
    expect(receiver.received.filter((r) => r.path === '/dns')).toHaveLength(0);
    const allowed = await send(`http://localhost:${port}/dns`, ['localhost']);
    expect(allowed).toMatchObject({ refused: false, status_code: 200 });
    expect(receiver.received.filter((r) => r.path === '/dns')).toHaveLength(1);
  });

  test('IP literals are refused without a lookup', async () => {
    expect(await send(`${receiver.url}/literal`)).toMatchObject({ refused: true });
    expect(await send('http://[::1]:9/literal')).toMatchObject({ refused: true });
    expect(receiver.received.filter((r) => r.path === '/literal')).toHaveLength(0);
  });

  test('redirects are not followed', async () => {
    receiver.respond.set('/moved', 302);
    const result = await send(`${receiver.url}/moved`, ['127.0.0.1']);
    expect(result.status_code).toBe(302);
    expect(result.error).toMatch(/redirect/);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received.filter((r) => r.path === '/redirected')).toHaveLength(0);
  });

  test('an attempt that takes too long times out', async () => {
    receiver.respond.set('/slow', () => 'hang');
    const result = await sendWebhook(`${receiver.url}/slow`, {}, '{}', { timeoutMs: 200, allowHosts: ['127.0.0.1'] });
    expect(result).toMatchObject({ status_code: null, refused: false });
    expect(result.error).toMatch(/timed out/);
  });
});

describe('at submission (no allow-list)', () => {
  let p: TestParsimony;
  beforeAll(async () => {
    p = await startTestParsimony('webhooks-ssrf');
  }, 120_000);
  afterAll(async () => {
    await p.close();
  });

  test.each(['http://127.0.0.1:9/hook', 'http://10.20.30.40/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:9/hook', 'http://localhost:9/hook', 'http://[::ffff:10.0.0.1]/hook'])(
    'POST /v1/jobs refuses callback_url %s with a 400 and creates no job',
    async (url) => {
      const res = await p.http('/v1/jobs', { method: 'POST', json: { request: chatBody('x'), callback_url: url } });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error.message).toMatch(/^callback_url/);
      expect(res.headers.get('x-parsimony-job-id')).toBeNull();
    },
  );

  test('a public callback host is accepted', async () => {
    const res = await p.http('/v1/jobs', { method: 'POST', json: { request: chatBody('x'), callback_url: 'https://203.0.114.9/hook' } });
    expect(res.status).toBe(202);
  });
});
