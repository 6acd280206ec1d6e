import { Catalog } from '../../shared/core/catalog/catalog';
import { CostLedger } from '../../shared/core/accounting/cost-ledger';
import { priceUsage } from '../../shared/core/accounting/pricing';
import { chooseTier } from '../../shared/levers/batch/tier-policy';
import { DEFAULT_TIER_CONFIG } from '../../shared/levers/batch/tier-config';
import type { JobRecord } from '../../shared/core/jobs/job-record';
import type { ModelEntry } from '../../shared/core/catalog/catalog';
import type { ModelTierFigures } from '../../shared/levers/batch/tier-stats';

const catalog = Catalog.load();
const usage = (input: number, output: number) => ({ input_tokens: input, output_tokens: output, cached_input_tokens: 0, cache_write_tokens: 0 });
const withFlex = { ...catalog.get('gpt-4.1-mini'), flex_discount: 0.5 };

describe('flex and batch prices', () => {
  test('priceUsage applies the tier discount from the catalog; no flex tier, no discount', () => {
    const full = priceUsage(withFlex, usage(1_000_000, 1_000_000));
    expect(priceUsage(withFlex, usage(1_000_000, 1_000_000), { tier: 'flex' })).toBeCloseTo(full * 0.5, 10);
    expect(priceUsage(withFlex, usage(1_000_000, 1_000_000), { tier: 'batch' })).toBeCloseTo(full * (1 - withFlex.batch_discount), 10);
    const noFlex = { ...withFlex, flex_discount: undefined };
    expect(priceUsage(noFlex, usage(1000, 1000), { tier: 'flex' })).toBeCloseTo(priceUsage(noFlex, usage(1000, 1000)), 12);
  });

  test("a flex answer: the discount is the batch lever's step of the waterfall, which still adds up", () => {
    const ledger = new CostLedger();
    ledger.flex = true;
    const cost = ledger.price(catalog, withFlex, usage(2000, 300));
    expect(cost.by_lever.batch).toBeCloseTo(priceUsage(withFlex, usage(2000, 300)) * 0.5, 8);
    const sum = Object.values(cost.by_lever).reduce((a, b) => a + b, 0);
    expect(cost.actual_usd).toBeCloseTo(cost.baseline_usd - sum + cost.overhead_usd, 12);
  });
});

describe('the tier rule', () => {
  const job = (options: Partial<JobRecord['options']>): JobRecord =>
    ({ id: 'j', tenant: 'acme', status: 'running', created_at: new Date().toISOString(), attempts: 1, request: {}, options: { latency: 'async', ...options } }) as unknown as JobRecord;
  const figures = (batchP95: number, flexP95: number, refusal: number): ModelTierFigures => ({
    batch: { samples: 50, source: 'measured', p50_s: batchP95 / 2, p95_s: batchP95 },
    flex: { samples: 50, source: 'measured', p50_s: flexP95 / 2, p95_s: flexP95, refusal_rate: refusal },
  });
  const now = Date.parse('2026-12-04T12:00:00Z');
  const choose = (budgetS: number, f = figures(1800, 60, 0.2), model: ModelEntry = withFlex, extra: Partial<JobRecord['options']> = {}) =>
    chooseTier({
      job: job({ deadline: new Date(now + budgetS * 1000).toISOString(), ...extra }),
      request: { model: model.id, system: [], messages: [], sampling: {} },
      model,
      figures: f,
      config: DEFAULT_TIER_CONFIG,
      canBatch: true,
      now,
    });

  test.each([
    [30, 'standard'],
    [5 * 60, 'standard'], // flex needs p95 60 s + fallback 60 s + margin 300 s
    [10 * 60, 'flex'],
    [30 * 60, 'flex'], // batch p95 30 min + margin does not fit
    [36 * 60, 'batch'],
    [24 * 3600, 'batch'],
  ])('budget %i s → %s', (budget, tier) => expect(choose(budget).tier).toBe(tier));

  test('flex is dropped when its refusal rate is over the ceiling, batch when its turnaround grows', () => {
    expect(choose(10 * 60, figures(1800, 60, 0.6)).tier).toBe('standard');
    expect(choose(3 * 3600, figures(4 * 3600, 60, 0.1)).tier).toBe('flex');
    expect(choose(3 * 3600, figures(4 * 3600, 60, 0.1), { ...withFlex, flex_discount: undefined }).tier).toBe('standard');
  });

  test('flex leaves time for a standard call before the deadline', () => {
    const d = choose(10 * 60);
    expect(d.flex_until).toBe(now + (10 * 60 - DEFAULT_TIER_CONFIG.standardP95Seconds - DEFAULT_TIER_CONFIG.marginSeconds) * 1000);
  });

  test('streams, synchronous calls and an explicit tier never wait', () => {
    expect(choose(24 * 3600, undefined, undefined, { stream: true }).tier).toBe('standard');
    expect(choose(24 * 3600, undefined, undefined, { latency: 'sync' }).tier).toBe('standard');
  });
});
