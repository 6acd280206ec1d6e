import { Catalog } from '../../shared/core/catalog/catalog';
import { CostLedger } from '../../shared/core/accounting/cost-ledger';
import { priceUsage } from '../../shared/core/accounting/pricing';

const catalog = Catalog.load();
const usage = (input: number, output: number, cached = 0, written = 0) => ({ input_tokens: input, output_tokens: output, cached_input_tokens: cached, cache_write_tokens: written });
const sumLevers = (cost: { by_lever: object }) => (Object.values(cost.by_lever) as number[]).reduce((a, b) => a + b, 0);

describe('pricing', () => {
  test('list prices per million tokens', () => {
    const frontier = catalog.get('gpt-4.1');
    expect(priceUsage(frontier, usage(1_000_000, 0))).toBeCloseTo(2.0, 10);
    expect(priceUsage(frontier, usage(0, 1_000_000))).toBeCloseTo(8.0, 10);
    expect(priceUsage(frontier, usage(1_000_000, 1_000_000), { batch: true })).toBeCloseTo(5.0, 10);
  });

  test('cached reads and cache writes at their own prices', () => {
    const sonnet = catalog.get('claude-sonnet-4-6');
    // 1M input of which 600k read from cache and 200k written: 200k*3 + 600k*0.3 + 200k*3.75 per million.
    expect(priceUsage(sonnet, usage(1_000_000, 0, 600_000, 200_000))).toBeCloseTo(0.6 + 0.18 + 0.75, 10);
  });
});

describe('cost waterfall', () => {
  test('routing saving is the frontier price minus the routed price on the same tokens', () => {
    const ledger = new CostLedger();
    const cost = ledger.price(catalog, catalog.get('gpt-5.6-terra'), usage(1000, 500));
    // Baseline on the default frontier model (gpt-5.6-sol: $4 in / $20 out), actual on the routed one ($2 / $12).
    expect(catalog.defaultFrontier.id).toBe('gpt-5.6-sol');
    expect(cost.baseline_usd).toBeCloseTo((1000 * 4 + 500 * 20) / 1e6, 10);
    expect(cost.actual_usd).toBeCloseTo((1000 * 2 + 500 * 12) / 1e6, 10);
    expect(cost.by_lever.routing).toBeCloseTo(cost.baseline_usd - cost.actual_usd, 10);
    expect(cost.by_lever.batch).toBe(0);
  });

  test('no lever: actual equals baseline', () => {
    const cost = new CostLedger().price(catalog, catalog.defaultFrontier, usage(1234, 567));
    expect(cost.saved_usd).toBe(0);
    expect(cost.actual_usd).toBe(cost.baseline_usd);
  });

  test('every lever at once still adds up exactly', () => {
    const ledger = new CostLedger();
    ledger.contextTokensRemoved = 5000;
    ledger.compressionTokensRemoved = 300;
    ledger.batched = true;
    ledger.addOverhead(0.0001);
    const cost = ledger.price(catalog, catalog.get('claude-haiku-4-5'), usage(2000, 400, 1200, 0));
    for (const saving of Object.values(cost.by_lever)) expect(saving).toBeGreaterThanOrEqual(0);
    expect(cost.by_lever.context).toBeGreaterThan(0);
    expect(cost.by_lever.compression).toBeGreaterThan(0);
    expect(cost.by_lever.prompt_cache).toBeGreaterThan(0);
    expect(cost.by_lever.batch).toBeGreaterThan(0);
    expect(cost.actual_usd).toBeCloseTo(cost.baseline_usd - sumLevers(cost) + cost.overhead_usd, 12);
    expect(cost.saved_usd).toBeCloseTo(cost.baseline_usd - cost.actual_usd, 12);
  });

  test('a cache hit costs nothing but its overhead', () => {
    const ledger = new CostLedger();
    ledger.cacheHit = true;
    ledger.addOverhead(0.00002);
    const cost = ledger.price(catalog, catalog.get('gpt-4.1-mini'), usage(800, 200));
    expect(cost.actual_usd).toBeCloseTo(0.00002, 12);
    expect(cost.by_lever.cache).toBeGreaterThan(0);
  });
});

test('a caller who pins a model dearer than the baseline sees a negative routing saving, honestly', () => {
  // claude-fable-5-2 ($8 / $40) lists above the baseline's gpt-5.6-sol ($4 / $20).
  const cost = new CostLedger().price(catalog, catalog.get('claude-fable-5-2'), usage(1000, 1000));
  expect(cost.by_lever.routing).toBeLessThan(0);
  expect(cost.actual_usd).toBeGreaterThan(cost.baseline_usd);
});
