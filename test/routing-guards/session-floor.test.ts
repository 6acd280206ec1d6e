import { Redis } from 'ioredis';
import { SessionTierStore } from '../../shared/levers/routing/guards';
import { REDIS_URL } from '../helpers/redis';
import { startTestParsimony, type TestParsimony } from '../helpers/parsimony';

/**
 * Session floor, a ratchet on escalations: an agent session (metadata.session_id)
 * whose answer was rejected by a guard and escalated keeps later steps at the
 * tier that answered, within its window; the tier a step was merely routed to
 * does not raise later steps. Other sessions, other tenants and session-less
 * requests are routed on their own.
 */
let p: TestParsimony;
beforeAll(async () => {
  // Cache off: the same classification is asked in several sessions and must be routed each time.
  p = await startTestParsimony('guards-session', { PARSIMONY_SHADOW_SHARE: '0', PARSIMONY_CACHE: 'off' });
}, 120_000);
afterAll(() => p.close());
afterEach(() => p.sim.faults.clear());

const PLAN = 'Plan a three-week migration of our billing system to a new provider, with risks and rollback steps.';
const CLASSIFY = 'Is this review positive or negative? "Great battery."';
const schema = { type: 'object', properties: { label: { type: 'string', enum: ['positive', 'negative'] } }, required: ['label'], additionalProperties: false };

/** A sync job through POST /v1/jobs; returns the finished job. */
async function run(text: string, extra: Record<string, unknown> = {}, tenant: 'acme' | 'globex' = 'acme', request: Record<string, unknown> = {}) {
  const res = await p.http('/v1/jobs', { method: 'POST', tenant, json: { request: { model: 'auto', messages: [{ role: 'user', content: text }], ...request }, latency: 'sync', ...extra } });
  expect(res.status).toBe(200);
  return res.json();
}

test('a frontier turn does not keep the session at the frontier: a later "classify" step is routed on its own', async () => {
  const session = `agent-${Date.now()}`;
  const plan = await run(PLAN, { task: 'plan', metadata: { session_id: session } });
  expect(plan.route.tier).toBe('frontier');
  const later = await run(CLASSIFY, { task: 'classify', metadata: { session_id: session } });
  expect(later.route.tier).toBe('small');
  expect(later.route.reason).not.toMatch(/session floor/);
});

test('an escalation raises the session floor to the tier that answered; other sessions, tenants and explicit models are unaffected', async () => {
  const session = `agent-esc-${Date.now()}`;
  // The small model's structured answer is invalid: the guard escalates the job to mid.
  p.sim.faults.add({ match: { model: 'gpt-5.6-luna' }, content: 'not json' });
  const escalated = await run(CLASSIFY, { task: 'classify', metadata: { session_id: session } }, 'acme', {
    response_format: { type: 'json_schema', json_schema: { name: 'sentiment', schema, strict: true } },
  });
  expect(escalated.route.tier).toBe('mid');
  expect(escalated.escalation).toMatchObject({ from_tier: 'small', to_tier: 'mid' });
  p.sim.faults.clear();

  // The SDK's chat completions path carries the session in `metadata` too.
  const { data, response } = await p
    .openai()
    .chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: CLASSIFY }], metadata: { session_id: session } })
    .withResponse();
  expect(data.choices[0].message.content).toBeTruthy();
  const sticky = await (await p.http(`/v1/jobs/${response.headers.get('x-parsimony-job-id')}`)).json();
  expect(sticky.route.tier).toBe('mid');
  expect(sticky.route.reason).toMatch(/raised to mid: session floor/);

  expect((await run(CLASSIFY, { task: 'classify', metadata: { session_id: session } })).route.tier).toBe('mid');
  expect((await run(CLASSIFY, { task: 'classify', metadata: { session_id: `${session}-other` } })).route.tier).toBe('small');
  // Session ids are per tenant: globex's session of the same name starts fresh.
  expect((await run(CLASSIFY, { task: 'classify', metadata: { session_id: session } }, 'globex')).route.tier).toBe('small');
  // An explicit model is never raised (the floor only bounds routing).
  expect((await run(CLASSIFY, { model: 'gpt-5.6-luna', metadata: { session_id: session } })).route.model).toBe('gpt-5.6-luna');
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
