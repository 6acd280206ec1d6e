import OpenAI from 'openai';
import { chatBody, KEYS, startTestParsimony, type TestParsimony } from '../helpers/parsimony';

/** An error response body. */
interface ErrorBody {
  error: { type: string; message: string };
}

const INITECH_KEY = 'k-initech-test-1';
const LIMITS = {
  '*': { requests_per_minute: 3 },
  // A budget the first request already exceeds.
  globex: { requests_per_minute: null, usd_per_day: 0.0000001 },
  initech: { requests_per_minute: null, tokens_per_minute: 1000 },
};
let p: TestParsimony;

beforeAll(async () => {
  p = await startTestParsimony('ops-limits', {
    PARSIMONY_API_KEYS: `acme:${KEYS.acme},globex:${KEYS.globex},initech:${INITECH_KEY}`,
    PARSIMONY_TENANT_LIMITS: JSON.stringify(LIMITS),
  });
}, 120_000);
afterAll(async () => {
  await p.close();
});

const initech = (body: unknown) =>
  fetch(`${p.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${INITECH_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('requests per minute: the 4th request is a 429 with retry-after and a clear message; reads are not limited', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await p.http('/v1/chat/completions', { method: 'POST', json: chatBody(`hello ${i}`) });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit-requests')).toBe('3');
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe(String(2 - i));
    ids.push(res.headers.get('x-parsimony-job-id')!);
  }
  const refused = await p.http('/v1/jobs', { method: 'POST', json: { request: chatBody('one more') } });
  expect(refused.status).toBe(429);
  const retryAfter = Number(refused.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  // Sliding window counter: the wait can reach into the next window, so up to two minutes.
  expect(retryAfter).toBeLessThanOrEqual(120);
  const body = await refused.json();
  expect(body).toEqual({ error: { type: 'rate_limit_error', message: expect.stringContaining('3 requests per minute') } });
  expect(body.error.message).toContain('acme');

  // The official SDK sees a RateLimitError.
  const sdk = new OpenAI({ apiKey: KEYS.acme, baseURL: `${p.url}/v1`, maxRetries: 0 });
  await expect(sdk.chat.completions.create(chatBody('again') as never)).rejects.toMatchObject({ status: 429 });

  // Polling jobs and reading reports still work at the limit.
  for (const id of ids) expect((await p.http(`/v1/jobs/${id}`)).status).toBe(200);
  expect((await p.http('/v1/savings')).status).toBe(200);

  // The refusals show in /metrics.
  const metrics = await (await fetch(`${p.url}/metrics`)).text();
  expect(metrics).toMatch(/parsimony_rate_limited_total\{tenant="acme",limit="requests_per_minute"\} 2/);
});

test('usd per day: once the day’s actual spend reaches the budget, 429 until the next UTC day', async () => {
  const first = await p.http('/v1/chat/completions', { method: 'POST', json: chatBody('spend something'), tenant: 'globex' });
  expect(first.status).toBe(200);
  expect(Number(first.headers.get('x-parsimony-cost-usd'))).toBeGreaterThan(LIMITS.globex.usd_per_day);

  const refused = await p.http('/v1/chat/completions', { method: 'POST', json: chatBody('and more'), tenant: 'globex' });
  expect(refused.status).toBe(429);
  const now = Date.now();
  const midnight = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate() + 1);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(Math.floor((midnight - now) / 1000) - 5);
  const { error } = await refused.json();
  expect(error.type).toBe('rate_limit_error');
  expect(error.message).toMatch(/daily budget reached for tenant globex/);

  // acme's budget is its own.
  expect((await p.http('/v1/savings', { tenant: 'acme' })).status).toBe(200);
});

test('tokens per minute: estimated at admission from the request; a request larger than the limit is a 413', async () => {
  const body = (chars: number) => ({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'w'.repeat(chars - 4) }] });
  expect((await initech(body(1600))).status).toBe(200); // ~400 tokens
  expect((await initech(body(1600))).status).toBe(200); // ~800
  const refused = await initech(body(1600));
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(((await refused.json()) as ErrorBody).error.message).toContain('1000 tokens per minute');

  const huge = await initech(body(8000));
  expect(huge.status).toBe(413);
  expect(((await huge.json()) as ErrorBody).error).toEqual({ type: 'request_too_large', message: expect.stringContaining('can never be admitted') });
});
