import { CostLedger } from '../../shared/core/accounting/cost-ledger';
import { priceUsage } from '../../shared/core/accounting/pricing';
import { Catalog, type CatalogFile } from '../../shared/core/catalog/catalog';
import type { Usage } from '../../shared/core/chat-model';
import { ComplexityRouter } from '../../shared/levers/routing/router';
import { ask, EASY, PLAN } from './helpers';

/**
 * Reasoning effort as part of the route, on a catalog whose models reason
 * (the schema's `reasoning {efforts, default_effort}`), and the ledger's
 * baseline at the frontier's default effort.
 */
const base = Catalog.load().file;
const reasoning = { efforts: ['minimal', 'low', 'medium', 'high'] as const, default_effort: 'medium' as const };
const file: CatalogFile = {
  ...base,
  models: base.models.map((m) => (m.provider === 'openai' ? { ...m, reasoning: { efforts: [...reasoning.efforts], default_effort: reasoning.default_effort } } : m)),
};
const catalog = new Catalog(file);
const router = ComplexityRouter.load(catalog);
/** The same catalog with no reasoning models. */
const plainCatalog = new Catalog({ ...base, models: base.models.map(({ reasoning: _r, ...m }) => m) });

describe('effort chosen with the model', () => {
  it('gives an easy prompt on a reasoning model a low effort and names it in the reason', () => {
    const d = router.decide({ request: ask(EASY), requestedModel: 'auto' });
    expect(d.tier).toBe('small');
    expect(d.reasoning_effort).toBe('minimal');
    expect(d.reason).toMatch(/reasoning_effort minimal \(score at \d+% of the small band; efforts minimal<low<medium, default medium\)/);
  });

  it('gives synthesis/planning the model default, never more', () => {
    const d = router.decide({ request: ask(PLAN), requestedModel: 'auto' });
    expect(d.tier).toBe('frontier');
    expect(d.reasoning_effort).toBe('medium');
    expect(d.reason).toMatch(/reasoning_effort medium \(model default: the task needs full reasoning\)/);
  });

  it('keeps an effort or thinking budget the caller gave', () => {
    const d = router.decide({ request: ask(EASY, { reasoning: { effort: 'high' } }), requestedModel: 'auto' });
    expect(d.reasoning_effort).toBeUndefined();
    expect(d.reason).toMatch(/caller's reasoning_effort high kept/);
    const b = router.decide({ request: ask(EASY, { reasoning: { budget_tokens: 2048 } }), requestedModel: 'auto' });
    expect(b.reasoning_effort).toBeUndefined();
    expect(b.reason).toMatch(/thinking budget 2048 kept/);
  });

  it('sets no effort on models that do not reason', () => {
    const d = ComplexityRouter.load(plainCatalog).decide({ request: ask(EASY), requestedModel: 'auto' });
    expect(d.reasoning_effort).toBeUndefined();
    expect(d.reason).not.toMatch(/reasoning_effort/);
  });

  it('moves up the efforts with the score inside a tier (a cheaper knob than the next tier)', () => {
    // smallShare 1, frontierShare 0: everything is "small"; the score's place in that band picks the effort.
    const efforts = ['Hello', EASY, 'Explain photosynthesis in two sentences.', 'Prove that sqrt(2) is irrational.'].map((t) =>
      router.decide({ request: ask(t), requestedModel: 'auto', task: 'classify', frontierShare: 0, smallShare: 1 }),
    );
    const rank = (e?: string) => ['minimal', 'low', 'medium'].indexOf(e ?? '');
    const byScore = [...efforts].sort((a, b) => a.score - b.score);
    for (let i = 1; i < byScore.length; i++) expect(rank(byScore[i].reasoning_effort)).toBeGreaterThanOrEqual(rank(byScore[i - 1].reasoning_effort));
    expect(new Set(efforts.map((d) => d.reasoning_effort)).size).toBeGreaterThan(1);
  });
});

describe('ledger: reasoning priced against the frontier at its default effort', () => {
  const usage = (input: number, output: number, reasoningTokens: number): Usage => ({
    input_tokens: input,
    output_tokens: output,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: reasoningTokens,
  });

  it('credits the reasoning a lower routed effort saved to routing', () => {
    const ledger = new CostLedger();
    ledger.routedEffort = 'low';
    const cost = ledger.price(catalog, catalog.defaultFrontier, usage(1000, 700, 350));
    // Baseline: medium spends 1 / 0.35 of low's reasoning tokens: 350 → 1000, i.e. 650 more output tokens.
    const baseline = priceUsage(catalog.defaultFrontier, usage(1000, 700 + 650, 0));
    expect(cost.baseline_usd).toBeCloseTo(baseline, 8);
    expect(cost.by_lever.routing).toBeCloseTo(baseline - priceUsage(catalog.defaultFrontier, usage(1000, 700, 0)), 8);
    expect(cost.actual_usd).toBeCloseTo(priceUsage(catalog.defaultFrontier, usage(1000, 700, 350)), 8);
  });

  it('adds nothing when routing chose no effort, or the frontier does not reason', () => {
    const none = new CostLedger().price(catalog, catalog.defaultFrontier, usage(1000, 700, 350));
    expect(none.by_lever.routing).toBe(0);
    const plain = new CostLedger();
    plain.routedEffort = 'low';
    expect(plain.price(plainCatalog, plainCatalog.defaultFrontier, usage(1000, 700, 350)).by_lever.routing).toBe(0);
  });
});
