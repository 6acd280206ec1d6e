import { Redis } from 'ioredis';
import { SessionTierStore } from '../../shared/routing/guards';
import { REDIS_URL } from '../helpers/redis';
import { startTestParsimony, type TestParsimony } from '../helpers/parsimony';

/**
 * Session stickiness: an agent session (metadata.session_id) never routes
 * below the highest tier it used within its window; other sessions, other
 * tenants and session-less requests are routed on their own.
 */
let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('guards-session', { PARSIMONY_SHADOW_SHARE: '0' });
});
afterAll(() => p.close());

const PLAN = 'Plan a three-week migration of our billing system to a new provider, with risks and rollback steps.';
const CLASSIFY = 'Is this review positive or negative? "Great battery."';

/** A sync job through POST /v1/jobs; returns the finished job. */
async function run(text: string, extra: Record<string, unknown> = {}, tenant: 'acme' | 'globex' = 'acme') {
  const res = await p.http('/v1/jobs', { method: 'POST', tenant, json: { request: { model: 'auto', messages: [{ role: 'user', content: text }] }, latency: 'sync', ...extra } });
  expect(res.status).toBe(200);
  return res.json();
}

test('a session that used the frontier keeps it for a later "classify" step; another session, tenant or no session is unaffected', async () => {
  const session = `agent-${Date.now()}`;
  // Without a session, classification goes to the small tier (the baseline this guard changes).
  expect((await run(CLASSIFY, { task: 'classify' })).route.tier).toBe('small');

  const plan = await run(PLAN, { task: 'plan', metadata: { session_id: session } });
  expect(plan.route.tier).toBe('frontier');

  // The SDK's chat completions path carries the session in `metadata` too.
  const { data, response } = await p
    .openai()
    .chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: CLASSIFY }], metadata: { session_id: session } })
    .withResponse();
  expect(data.choices[0].message.content).toBeTruthy();
  const sticky = await (await p.http(`/v1/jobs/${response.headers.get('x-parsimony-job-id')}`)).json();
  expect(sticky.route.tier).toBe('frontier');
  expect(sticky.route.reason).toMatch(/raised to frontier: session floor/);

  const viaJobs = await run(CLASSIFY, { task: 'classify', metadata: { session_id: session } });
  expect(viaJobs.route.tier).toBe('frontier');

  expect((await run(CLASSIFY, { task: 'classify', metadata: { session_id: `${session}-other` } })).route.tier).toBe('small');
  // Session ids are per tenant: globex's session of the same name starts fresh.
  expect((await run(CLASSIFY, { task: 'classify', metadata: { session_id: session } }, 'globex')).route.tier).toBe('small');
  // An explicit model is never raised (the floor only bounds routing).
  expect((await run(CLASSIFY, { model: 'gpt-4.1-nano', metadata: { session_id: session } })).route.model).toBe('gpt-4.1-nano');
});

test('a session that only used small stays free to route; a mid tier raises its floor to mid', async () => {
  const session = `agent-mid-${Date.now()}`;
  expect((await run(CLASSIFY, { task: 'classify', metadata: { session_id: session } })).route.tier).toBe('small');
  expect((await run('Summarise: the meeting moved to Tuesday.', { max_tier: 'mid', min_tier: 'mid', metadata: { session_id: session } })).route.tier).toBe('mid');
  const after = await run(CLASSIFY, { task: 'classify', metadata: { session_id: session } });
  expect(after.route.tier).toBe('mid');
  expect(after.route.reason).toMatch(/session floor/);
});

test('the window: a tier used longer ago than the window no longer counts; the key expires with it', async () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const store = new SessionTierStore(redis, p.prefix, 60);
    const t0 = Date.now();
    await store.record('acme', 'window-test', 'frontier', t0);
    await store.record('acme', 'window-test', 'mid', t0 + 50_000);
    expect(await store.floor('acme', 'window-test', t0 + 1_000)).toBe('frontier');
    // 61 s after the frontier call only the mid call (11 s ago) is inside the window.
    expect(await store.floor('acme', 'window-test', t0 + 61_000)).toBe('mid');
    expect(await store.floor('acme', 'window-test', t0 + 111_000)).toBeUndefined();
    expect(await store.floor('globex', 'window-test', t0)).toBeUndefined();
    const keys = await redis.keys(`${p.prefix}:routing:session:acme:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(await redis.ttl(key)).toBeGreaterThan(0);
  } finally {
    redis.disconnect();
  }
});
