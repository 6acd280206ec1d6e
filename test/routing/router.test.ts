import { Catalog } from '../../shared/core/catalog/catalog';
import { ApiError } from '../../shared/core/errors/api-error';
import { ComplexityRouter } from '../../shared/levers/routing/router';
import { ask, EASY, PLAN, PROOF } from './helpers';

const catalog = Catalog.load();
const router = ComplexityRouter.load(catalog);

describe('ComplexityRouter: explicit models and policy switches', () => {
  it('does not route when the caller names a catalog model', () => {
    const d = router.decide({ request: ask(PLAN), requestedModel: 'claude-haiku-4-5', task: 'plan', minTier: 'frontier' });
    expect(d).toMatchObject({ model: 'claude-haiku-4-5', provider: 'anthropic', tier: 'small', routed: false });
    expect(d.reason).toMatch(/explicit model/);
    expect(d.score).toBeGreaterThanOrEqual(0);
  });

  it('rejects a model that is not in the catalog with a 400', () => {
    expect(() => router.decide({ request: ask(EASY), requestedModel: 'gpt-99' })).toThrow(ApiError);
    try {
      router.decide({ request: ask(EASY), requestedModel: 'gpt-99' });
    } catch (e) {
      expect((e as ApiError).status).toBe(400);
    }
  });

  it('uses the catalog auto model when the tenant disabled routing', () => {
    const d = router.decide({ request: ask(PLAN), requestedModel: 'auto', policy: { enabled: false } });
    expect(d).toMatchObject({ model: catalog.defaultAuto.id, routed: false });
  });
});

describe('ComplexityRouter: learned score', () => {
  it('sends a plain classification prompt to small and a planning prompt to frontier at the default share', () => {
    expect(router.decide({ request: ask(EASY), requestedModel: 'auto' }).tier).toBe('small');
    const plan = router.decide({ request: ask(PLAN), requestedModel: 'auto' });
    expect(plan.tier).toBe('frontier');
    expect(plan.routed).toBe(true);
    expect(router.score(ask(PLAN)).score).toBeGreaterThan(router.score(ask(EASY)).score);
  });

  it('explains its decision', () => {
    const d = router.decide({ request: ask(PLAN), requestedModel: 'auto' });
    expect(d.reason).toMatch(/score 0\.\d{3}/);
    expect(d.reason).toMatch(/frontier share 0\.\d+ for quality target 0\.99/);
    expect(d.reason).toContain(d.model);
  });
});

describe('ComplexityRouter: hints', () => {
  it('holds classify/extract/tool_select hints to the small tier', () => {
    for (const task of ['classify', 'extract', 'tool_select']) {
      const d = router.decide({ request: ask('Read the following text and give me the answer: "the invoice is due on 3 May"'), requestedModel: 'auto', task, frontierShare: 0.5 });
      expect([task, d.tier]).toEqual([task, 'small']);
      expect(d.task).toBe(task);
    }
  });

  it('sends synthesize/plan/reason hints to the frontier tier even on an easy-looking prompt', () => {
    for (const task of ['synthesize', 'plan', 'reason']) {
      expect(router.decide({ request: ask('Hello there'), requestedModel: 'auto', task }).tier).toBe('frontier');
    }
  });

  it('understands free-text hints and ignores unknown ones', () => {
    expect(router.decide({ request: ask(PLAN), requestedModel: 'auto', task: 'sentiment classification' }).task).toBe('classify');
    const d = router.decide({ request: ask(EASY), requestedModel: 'auto', task: 'zzz' });
    expect(d.reason).toMatch(/not recognised/);
    expect(d.tier).toBe('small');
  });

  it('keeps code at mid or above', () => {
    const d = router.decide({ request: ask('hi'), requestedModel: 'auto', task: 'code', frontierShare: 0, smallShare: 1 });
    expect(d.tier).toBe('mid');
  });
});

describe('ComplexityRouter: quality guard and tier bounds', () => {
  it('sends open-ended planning/reasoning to the frontier whatever the score, unless the tenant asks for mid', () => {
    for (const text of [PLAN, PROOF]) {
      const d = router.decide({ request: ask(text), requestedModel: 'auto', frontierShare: 0, smallShare: 1 });
      expect(d.tier).toBe('frontier');
      expect(d.reason).toMatch(/open-ended (plan|reason) task/);
      expect(router.decide({ request: ask(text), requestedModel: 'auto', frontierShare: 0, maxTier: 'mid' }).tier).toBe('mid');
    }
    // Multiple-choice prompts are left to the calibrated score (with the mid guard).
    const mc = 'Calculate the value of 3x + 2 when x = 4.\nA. 12\nB. 14\nC. 16\nD. 18\nAnswer:';
    expect(router.decide({ request: ask(mc), requestedModel: 'auto', frontierShare: 0, smallShare: 1 }).tier).toBe('mid');
  });

  it('never sends detected planning or reasoning below mid, whatever the score', () => {
    for (const text of [PLAN, PROOF]) {
      // frontierShare 0 + smallShare 1: the score alone would pick small for everything.
      const d = router.decide({ request: ask(text), requestedModel: 'auto', frontierShare: 0, smallShare: 1, policy: { openTaskFloor: 'mid' } });
      expect(d.tier).toBe('mid');
      expect(d.reason).toMatch(/never goes below mid|raised to mid: open-ended (plan|reason) task/);
    }
    const easy = router.decide({ request: ask(EASY), requestedModel: 'auto', frontierShare: 0, smallShare: 1, policy: { openTaskFloor: 'mid' } });
    expect(easy.tier).toBe('small');
  });

  it('keeps the guard even against a max_tier of small, and a classify hint cannot bypass it', () => {
    expect(router.decide({ request: ask(PLAN), requestedModel: 'auto', maxTier: 'small' }).tier).toBe('mid');
    expect(router.decide({ request: ask(PLAN), requestedModel: 'auto', maxTier: 'small', frontierShare: 1 }).tier).toBe('mid');
    const hinted = router.decide({ request: ask(PROOF), requestedModel: 'auto', task: 'classify', frontierShare: 0 });
    expect(hinted.tier).toBe('mid');
    expect(hinted.reason).toMatch(/detected reason task never goes below mid/);
  });

  it('respects min_tier and max_tier', () => {
    expect(router.decide({ request: ask(EASY), requestedModel: 'auto', minTier: 'frontier' }).tier).toBe('frontier');
    expect(router.decide({ request: ask(EASY), requestedModel: 'auto', minTier: 'mid' }).tier).toBe('mid');
    expect(router.decide({ request: ask(EASY), requestedModel: 'auto', frontierShare: 1, maxTier: 'small' }).tier).toBe('small');
    expect(router.decide({ request: ask(EASY), requestedModel: 'auto', frontierShare: 1, policy: { maxTier: 'mid' } }).tier).toBe('mid');
    expect(router.decide({ request: ask(EASY), requestedModel: 'auto', policy: { minTier: 'mid' } }).tier).toBe('mid');
  });

  it('applies a session floor tier', () => {
    const d = router.decide({ request: ask(EASY), requestedModel: 'auto', floorTier: 'frontier' });
    expect(d.tier).toBe('frontier');
    expect(d.reason).toMatch(/session floor/);
  });
});

describe('ComplexityRouter: tier to model', () => {
  it("prefers the provider of the default model, and that provider's tier default (today's family) within the tier", () => {
    expect(router.decide({ request: ask(EASY), requestedModel: 'auto' }).model).toBe(catalog.forTier('small', catalog.defaultAuto.provider)[0].id);
    expect(router.decide({ request: ask(PLAN), requestedModel: 'auto' }).model).toBe(catalog.forTier('frontier', catalog.defaultAuto.provider)[0].id);
  });

  it('follows the policy provider and pinned models', () => {
    const anthropicSmall = catalog.forTier('small', 'anthropic')[0].id;
    expect(router.decide({ request: ask(EASY), requestedModel: 'auto', policy: { provider: 'anthropic' } }).model).toBe(anthropicSmall);
    expect(router.decide({ request: ask(EASY), requestedModel: 'auto', policy: { pinned: { small: 'gpt-4o-mini' } } }).model).toBe('gpt-4o-mini');
  });

  it('only picks models with the capabilities the request needs', () => {
    const request = ask(EASY, { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } } });
    const d = router.decide({ request, requestedModel: 'auto', policy: { provider: 'anthropic' } });
    expect(catalog.get(d.model).capabilities).toContain('json_schema');
    expect(d.tier).toBe('small');
  });
});

describe('ComplexityRouter: determinism', () => {
  it('gives the same decision for the same input, across instances', () => {
    const other = ComplexityRouter.load(catalog);
    const inputs = [EASY, PLAN, PROOF, 'Which of the following is a prime?\nA. 4\nB. 6\nC. 7\nD. 9\nAnswer:'];
    for (const text of inputs) {
      const a = router.decide({ request: ask(text), requestedModel: 'auto', task: 'chat' });
      expect(router.decide({ request: ask(text), requestedModel: 'auto', task: 'chat' })).toEqual(a);
      expect(other.decide({ request: ask(text), requestedModel: 'auto', task: 'chat' })).toEqual(a);
    }
  });
});
