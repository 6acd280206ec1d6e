import { Catalog } from '../../shared/core/catalog/catalog';
import { priceUsage, tierDiscount } from '../../shared/core/accounting/pricing';
import type { Usage } from '../../shared/core/chat-model';

const catalog = Catalog.load();
const usage = (u: Partial<Usage>): Usage => ({ input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0, ...u });

describe('pricing of the late-2026 fields', () => {
  test('1-hour cache writes are priced at cache_write_1h, the rest of the writes at the 5-minute price', () => {
    const opus = catalog.get('claude-opus-5-5');
    expect(opus.price.cache_write).toBeCloseTo(opus.price.input * 1.25, 10);
    expect(opus.price.cache_write_1h).toBeCloseTo(opus.price.input * 2, 10);
    // 1M input: 300k written (100k of them with the 1-hour TTL), 500k read, 200k plain.
    const usd = priceUsage(opus, usage({ input_tokens: 1_000_000, cache_write_tokens: 300_000, cache_write_1h_tokens: 100_000, cached_input_tokens: 500_000 }));
    const expected = (200_000 * 4 + 200_000 * 5 + 100_000 * 8 + 500_000 * 0.2) / 1e6;
    expect(usd).toBeCloseTo(expected, 10);
    // The same writes all at 5 minutes cost less.
    expect(priceUsage(opus, usage({ input_tokens: 1_000_000, cache_write_tokens: 300_000, cached_input_tokens: 500_000 }))).toBeLessThan(usd);
  });

  test('a model without a 1-hour price bills 1-hour writes at its 5-minute write price', () => {
    const luna = catalog.get('gpt-5.6-luna');
    expect(luna.price.cache_write_1h).toBeUndefined();
    const all1h = priceUsage(luna, usage({ input_tokens: 10_000, cache_write_tokens: 4_000, cache_write_1h_tokens: 4_000 }));
    const all5m = priceUsage(luna, usage({ input_tokens: 10_000, cache_write_tokens: 4_000 }));
    expect(all1h).toBeCloseTo(all5m, 12);
  });

  test('reasoning tokens are output tokens: billed once, at the output price', () => {
    const sol = catalog.get('gpt-5.6-sol');
    const withReasoning = priceUsage(sol, usage({ input_tokens: 1000, output_tokens: 5000, reasoning_tokens: 4000 }));
    expect(withReasoning).toBeCloseTo((1000 * 4 + 5000 * 20) / 1e6, 12);
    expect(withReasoning).toBeCloseTo(priceUsage(sol, usage({ input_tokens: 1000, output_tokens: 5000 })), 12);
  });

  test('flex applies flex_discount, batch applies batch_discount, standard neither', () => {
    const terra = catalog.get('gpt-5.6-terra');
    const u = usage({ input_tokens: 100_000, cached_input_tokens: 40_000, output_tokens: 2_000 });
    const standard = priceUsage(terra, u);
    expect(priceUsage(terra, u, { tier: 'standard' })).toBeCloseTo(standard, 12);
    expect(terra.flex_discount).toBe(0.5);
    expect(priceUsage(terra, u, { tier: 'flex' })).toBeCloseTo(standard * 0.5, 12);
    expect(priceUsage(terra, u, { tier: 'batch' })).toBeCloseTo(standard * (1 - terra.batch_discount), 12);
    // The older `batch: true` option still means the batch tier.
    expect(priceUsage(terra, u, { batch: true })).toBeCloseTo(priceUsage(terra, u, { tier: 'batch' }), 12);
  });

  test('flex on a model without a flex price is billed at standard', () => {
    const sonnet = catalog.get('claude-sonnet-5-5');
    expect(sonnet.flex_discount).toBeUndefined();
    expect(tierDiscount(sonnet, 'flex')).toBe(0);
    const u = usage({ input_tokens: 5_000, output_tokens: 500 });
    expect(priceUsage(sonnet, u, { tier: 'flex' })).toBeCloseTo(priceUsage(sonnet, u), 12);
  });
});

describe('the catalog of late 2026', () => {
  test('the baseline is the current OpenAI flagship and the tier defaults are its smaller siblings', () => {
    expect(catalog.defaultFrontier.id).toBe('gpt-5.6-sol');
    expect(catalog.defaultAuto.id).toBe('gpt-5.6-terra');
    expect(catalog.forTier('small', 'openai')[0].id).toBe('gpt-5.6-luna');
    expect(catalog.forTier('mid', 'openai')[0].id).toBe('gpt-5.6-terra');
    expect(catalog.forTier('frontier', 'openai')[0].id).toBe('gpt-5.6-sol');
    expect(catalog.forTier('small', 'anthropic')[0].id).toBe('claude-haiku-5-5');
    expect(catalog.forTier('mid', 'anthropic')[0].id).toBe('claude-sonnet-5-5');
    expect(catalog.forTier('frontier', 'anthropic')[0].id).toBe('claude-opus-5-5');
    // After the tier defaults, the rest of a tier stays cheapest first.
    const cheapestFirst = (models: { price: { input: number; output: number } }[]) => {
      for (let i = 1; i < models.length; i++) expect(models[i].price.input + models[i].price.output).toBeGreaterThanOrEqual(models[i - 1].price.input + models[i - 1].price.output);
    };
    cheapestFirst(catalog.forTier('small', 'openai').slice(1));
    // byTier stays the plain price order (the summariser and the scripts want the cheapest model of a tier).
    cheapestFirst(catalog.byTier('small'));
    expect(catalog.byTier('small', 'openai')[0].id).toBe('gpt-4.1-nano');
  });

  test('aliases (dated snapshots, short names) resolve to their entry', () => {
    expect(catalog.find('gpt-5.4-mini-2026-03-17')?.id).toBe('gpt-5.4-mini');
    expect(catalog.find('claude-haiku-4-5-20251001')?.id).toBe('claude-haiku-4-5');
    expect(catalog.find('gpt-5.6')?.id).toBe('gpt-5.6-sol');
    expect(catalog.find('gpt-5.6-nonexistent')).toBeUndefined();
  });

  test('every model records where and when its prices were read; reasoning models list their efforts', () => {
    for (const m of catalog.models) {
      expect(m.price_source?.url).toBeTruthy();
      expect(m.price_source?.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (m.reasoning) expect(m.reasoning.efforts).toContain(m.reasoning.default_effort);
      if (m.provider === 'anthropic') expect(m.price.cache_write_1h).toBeCloseTo(m.price.input * 2, 10);
    }
  });

  test('every model id the installed SDKs list for the current families is in the catalog', () => {
    for (const id of ['gpt-5.6-sol', 'gpt-5.6-terra', 'gpt-5.6-luna', 'gpt-5.4', 'gpt-5.4-mini', 'gpt-5.4-nano', 'claude-opus-5-5', 'claude-sonnet-5-5', 'claude-haiku-5-5'])
      expect(catalog.find(id)).toBeDefined();
  });
});
