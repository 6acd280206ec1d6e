import { TierStats } from '../../shared/levers/batch/tier-stats';
import { DEFAULT_TIER_CONFIG } from '../../shared/levers/batch/tier-config';
import { catalogWithFlex } from './flex-catalog';
import { startBatchHarness, type BatchHarness } from './harness';

/**
 * The processing tier per job, end to end with the simulator: standard for a
 * short budget, flex when minutes are allowed (and its 429 or timeout falls
 * back to standard before the deadline), a provider batch when the measured
 * turnaround fits — and not when it does not. Real Redis, real HTTP, the
 * official SDKs inside the adapters.
 */
let h: BatchHarness;
const until = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const job = (model: string, text: string, deadlineSeconds?: number, extra: Record<string, unknown> = {}) => ({
  request: { model, messages: [{ role: 'user', content: text }], max_tokens: 40 },
  latency: 'async',
  ...(deadlineSeconds ? { deadline: until(deadlineSeconds) } : {}),
  ...extra,
});

beforeAll(async () => {
  h = await startBatchHarness('tiers', {
    sim: { batchSeconds: 0.5 },
    env: {
      PARSIMONY_CATALOG: catalogWithFlex('tiers', ['gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-4o-mini', 'gpt-4o']),
      // Small figures so a test runs in seconds: flex needs p95 1 s + fallback 1 s + margin 5 s = 7 s of budget,
      // a flex call is abandoned after 3 s, a batch needs its p95 (3300 s until measured) + 5 s.
      PARSIMONY_TIER_MARGIN_SECONDS: '5',
      PARSIMONY_TIER_STANDARD_P95_SECONDS: '1',
      PARSIMONY_TIER_FLEX_P95_SECONDS: '1',
      PARSIMONY_TIER_FLEX_TIMEOUT_SECONDS: '3',
      PARSIMONY_TIER_BATCH_P95_SECONDS: '3300',
    },
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

test('each deadline gets its tier: too short for flex → standard, 15 min → flex at the flex price, 6 h → a provider batch', async () => {
  const before = h.sim.stats();
  const [short, minutes, hours] = await Promise.all([
    h.submit(job('gpt-4.1-mini', 'Tag invoice INV-101', 5)),
    h.submit(job('gpt-4.1-mini', 'Tag invoice INV-102', 15 * 60)),
    h.submit(job('gpt-4.1-mini', 'Tag invoice INV-103', 6 * 3600)),
  ]);
  const [s, m, b] = await Promise.all([short, minutes, hours].map((id) => h.waitFor(id)));
  expect(s.processing_tier).toMatchObject({ tier: 'standard', budget_source: 'deadline' });
  expect(s.processing_tier.reason).toMatch(/does not fit/);
  expect(s.delivered_by).toBe('execute');
  expect(s.cost.by_lever.batch).toBe(0);

  expect(m.processing_tier).toMatchObject({ tier: 'flex', ran_on: 'flex' });
  expect(m.route.processing.tier).toBe('flex');
  expect(m.delivered_by).toBe('execute');
  // Half price on flex: the tier's saving equals what was paid.
  expect(m.cost.by_lever.batch).toBeGreaterThan(0);
  expect(m.cost.by_lever.batch).toBeCloseTo(m.cost.actual_usd - m.cost.overhead_usd, 6);

  expect(b.processing_tier.tier).toBe('batch');
  expect(b.delivered_by).toBe('batch');
  expect(b.cost.by_lever.batch).toBeGreaterThan(0);

  const after = h.sim.stats();
  expect(after.flex_calls - before.flex_calls).toBe(1);
  expect(after.batch_requests - before.batch_requests).toBe(1);
  expect(after.chat_calls - before.chat_calls).toBe(2); // standard + flex

  // The waterfall: the tiers' savings sit on the batch lever; /v1/savings shows the realised discount per tier.
  const report = await (await h.http('/v1/savings')).json();
  expect(report.by_processing_tier.flex).toMatchObject({ requests: 1, realised_discount: 0.5 });
  expect(report.by_processing_tier.batch).toMatchObject({ requests: 1, realised_discount: 0.5 });
  expect(report.by_processing_tier.standard).toMatchObject({ requests: 1, realised_discount: 0 });
  expect(report.by_lever.batch).toBeCloseTo(m.cost.by_lever.batch + b.cost.by_lever.batch, 8);
});

test('a flex 429 falls back to standard at once; once flex refuses most calls it is no longer chosen', async () => {
  h.sim.tiers.set({ flex: { refuse_share: 1 } });
  try {
    const before = h.sim.stats();
    const ids: string[] = [];
    for (let i = 0; i < DEFAULT_TIER_CONFIG.minSamples; i++) ids.push(await h.submit(job('gpt-4.1-nano', `Summarise note N-${i}`, 10 * 60)));
    const jobs = await Promise.all(ids.map((id) => h.waitFor(id)));
    for (const j of jobs) {
      expect(j.status).toBe('completed');
      expect(j.processing_tier).toMatchObject({ tier: 'flex', ran_on: 'standard', fallback_reason: expect.stringMatching(/429/) });
      // Priced at the standard price: no tier saving for a refused flex call.
      expect(j.cost.by_lever.batch).toBe(0);
      expect(Date.parse(j.completed_at)).toBeLessThan(Date.parse(j.deadline));
    }
    expect(h.sim.stats().flex_refused - before.flex_refused).toBe(ids.length);
    // Every measured flex call refused: past the refusal ceiling, flex is not tried (after the 2 s memo).
    await new Promise((r) => setTimeout(r, 2_100));
    const next = await h.waitFor(await h.submit(job('gpt-4.1-nano', 'Summarise note N-next', 10 * 60)));
    expect(next.processing_tier.tier).toBe('standard');
    expect(next.processing_tier.reason).toMatch(/refusal rate 100%/);
    const tiers = await (await h.http('/v1/tiers')).json();
    const nano = tiers.data.find((d: { model: string }) => d.model === 'gpt-4.1-nano');
    expect(nano.flex).toMatchObject({ available: true, source: 'measured', refusal_rate: 1, eligible: false });
  } finally {
    h.sim.tiers.clear();
  }
});

test('a flex call that outlasts its window is abandoned for standard, well before the deadline', async () => {
  h.sim.tiers.set({ flex: { latency_ms: 8_000 } });
  try {
    const before = h.sim.stats();
    const done = await h.waitFor(await h.submit(job('gpt-4o-mini', 'Classify ticket TCK-9', 60)), undefined, 30_000);
    expect(done.status).toBe('completed');
    expect(done.processing_tier).toMatchObject({ tier: 'flex', ran_on: 'standard', fallback_reason: 'flex timed out' });
    expect(done.cost.by_lever.batch).toBe(0);
    expect(Date.parse(done.completed_at)).toBeLessThan(Date.parse(done.deadline));
    // The flex call was cut (no flex answer counted), the standard one answered.
    expect(h.sim.stats().flex_calls - before.flex_calls).toBe(0);
  } finally {
    h.sim.tiers.clear();
  }
}, 60_000);

test('the fast path honours the caller\'s service_tier "flex", and falls back to standard when refused', async () => {
  const body = (text: string) => ({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: text }], max_tokens: 20, service_tier: 'flex' });
  const ok = await h.http('/v1/chat/completions', { method: 'POST', json: body('Route ticket FP-1') });
  expect(ok.status).toBe(200);
  const okJob = await h.job(ok.headers.get('x-parsimony-job-id')!);
  expect(okJob.processing_tier).toMatchObject({ tier: 'flex', ran_on: 'flex', budget_source: 'service_tier "flex"' });
  expect(okJob.cost.by_lever.batch).toBeGreaterThan(0);
  h.sim.tiers.set({ flex: { capacity: 0 } });
  try {
    const refused = await h.http('/v1/chat/completions', { method: 'POST', json: body('Route ticket FP-2') });
    expect(refused.status).toBe(200);
    const job = await h.job(refused.headers.get('x-parsimony-job-id')!);
    expect(job.processing_tier).toMatchObject({ tier: 'flex', ran_on: 'standard' });
  } finally {
    h.sim.tiers.clear();
  }
  // A model without flex: the field is not forwarded (the provider would refuse it), the call runs standard.
  const plain = await h.http('/v1/chat/completions', { method: 'POST', json: { ...body('Route ticket FP-3'), model: 'gpt-4.1' } });
  expect(plain.status).toBe(200);
  expect((await h.job(plain.headers.get('x-parsimony-job-id')!)).processing_tier.tier).toBe('standard');
});

test('a batch is chosen only when its measured turnaround fits the budget', async () => {
  // gpt-4o: five provider batches of about a second each (the simulator's turnaround setting) make its p95 known.
  h.sim.tiers.set({ batch: { openai: { p50_seconds: 0.5, p95_seconds: 1 } } });
  for (let i = 0; i < DEFAULT_TIER_CONFIG.minSamples; i++) {
    const done = await h.waitFor(await h.submit({ ...job('gpt-4o', `Tag order ORD-${i}`), latency: 'batch' }));
    expect(done.delivered_by).toBe('batch');
  }
  await new Promise((r) => setTimeout(r, 2_100));
  const tiers = await (await h.http('/v1/tiers')).json();
  const gpt4o = tiers.data.find((d: { model: string }) => d.model === 'gpt-4o');
  expect(gpt4o.batch).toMatchObject({ available: true, source: 'measured', samples: DEFAULT_TIER_CONFIG.minSamples });
  expect(gpt4o.batch.p95_s).toBeLessThan(10);
  // A 60-second budget now holds a batch (p95 a few seconds + margin 5 s): batch, at the batch price.
  const fast = await h.waitFor(await h.submit(job('gpt-4o', 'Tag order ORD-fast', 60)));
  expect(fast.processing_tier.tier).toBe('batch');
  expect(fast.processing_tier.reason).toMatch(/measured/);
  expect(fast.delivered_by).toBe('batch');

  // gpt-4.1: its history says batches take two hours: a 90-minute budget does not hold one (flex is not offered: standard).
  const stats = new TierStats(h.redis, h.prefix, DEFAULT_TIER_CONFIG);
  for (let i = 0; i < DEFAULT_TIER_CONFIG.minSamples; i++) await stats.recordBatch('openai', 'gpt-4.1', 2 * 3600_000);
  const slow = await h.waitFor(await h.submit(job('gpt-4.1', 'Tag order ORD-slow', 90 * 60)));
  expect(slow.processing_tier.tier).toBe('standard');
  expect(slow.processing_tier.reason).toMatch(/batch p95 2 h \+ margin does not fit/);
  expect(slow.delivered_by).toBe('execute');
  // ... while 6 hours do.
  const later = await h.waitFor(await h.submit(job('gpt-4.1', 'Tag order ORD-later', 6 * 3600)));
  expect(later.processing_tier.tier).toBe('batch');
  h.sim.tiers.clear();
}, 90_000);
