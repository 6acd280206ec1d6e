import { Catalog } from '../../shared/core/catalog/catalog';
import { CostLedger } from '../../shared/core/accounting/cost-ledger';
import { priceUsage } from '../../shared/core/accounting/pricing';
import type { Usage } from '../../shared/core/chat-model';

const catalog = Catalog.load();
const usage = (u: Partial<Usage>): Usage => ({ input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0, ...u });

describe('cached-token pricing', () => {
  it('charges cached reads at the cached_input price and the rest at the input price (OpenAI)', () => {
    const m = catalog.get('gpt-4.1');
    const usd = priceUsage(m, usage({ input_tokens: 10_000, cached_input_tokens: 8_000, output_tokens: 100 }));
    expect(usd).toBeCloseTo((2_000 * m.price.input + 8_000 * m.price.cached_input + 100 * m.price.output) / 1e6, 12);
    expect(usd).toBeLessThan(priceUsage(m, usage({ input_tokens: 10_000, output_tokens: 100 })));
  });

  it('charges cache writes at the cache_write price (Anthropic: 1.25x) and reads at 0.1x', () => {
    const m = catalog.get('claude-sonnet-4-6');
    const write = priceUsage(m, usage({ input_tokens: 5_000, cache_write_tokens: 4_000 }));
    expect(write).toBeCloseTo((1_000 * 3 + 4_000 * 3.75) / 1e6, 12);
    const read = priceUsage(m, usage({ input_tokens: 5_000, cached_input_tokens: 4_000 }));
    expect(read).toBeCloseTo((1_000 * 3 + 4_000 * 0.3) / 1e6, 12);
    // A write then a read of the same prefix beats two uncached calls.
    expect(write + read).toBeLessThan(2 * priceUsage(m, usage({ input_tokens: 5_000 })));
  });

  it('applies the batch discount on top of cached pricing', () => {
    const m = catalog.get('claude-haiku-4-5');
    const u = usage({ input_tokens: 3_000, cached_input_tokens: 1_000, cache_write_tokens: 1_000, output_tokens: 500 });
    expect(priceUsage(m, u, { batch: true })).toBeCloseTo(priceUsage(m, u) * (1 - m.batch_discount), 12);
  });

  it('books the prompt-cache saving on the prompt_cache lever of the waterfall', () => {
    const m = catalog.get('gpt-4.1');
    const ledger = new CostLedger();
    const cost = ledger.price(catalog, m, usage({ input_tokens: 10_000, cached_input_tokens: 6_000, output_tokens: 200 }));
    expect(cost.by_lever.prompt_cache).toBeCloseTo((6_000 * (m.price.input - m.price.cached_input)) / 1e6, 7);
    expect(cost.actual_usd).toBeCloseTo(priceUsage(m, usage({ input_tokens: 10_000, cached_input_tokens: 6_000, output_tokens: 200 })), 7);
  });
});
