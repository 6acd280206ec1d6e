import { Catalog } from '../../shared/core/catalog/catalog';
import { QualityCurve, qualityCurveFrom } from '../../shared/levers/routing/quality-target';
import { ComplexityRouter } from '../../shared/levers/routing/router';
import type { SentenceEncoder } from '../../shared/levers/routing/sentence-encoder';
import { loadWeightsFile, type WeightsFile } from '../../shared/levers/routing/weights-file';
import { routerDefaultsFromEnv } from '../../shared/levers/routing/policy';
import { ask, EASY } from './helpers';

const catalog = Catalog.load();
const shipped = loadWeightsFile();
const curve = { source: 'test', shares: [0, 0.25, 0.5, 0.75, 1], quality: [0.9, 0.95, 0.98, 0.995, 1] };
const withCurve = (extra: Partial<WeightsFile> = {}): WeightsFile => ({ ...shipped, quality_curve: curve, ...extra });

describe('quality target → frontier share', () => {
  it('picks the smallest measured share whose held-out quality reaches the target', () => {
    const c = new QualityCurve(curve.shares, curve.quality, 'test');
    expect(c.frontierShareFor(0.95)).toBe(0.25);
    expect(c.frontierShareFor(0.99)).toBe(0.75);
    expect(c.frontierShareFor(1)).toBe(1);
    expect(c.qualityAt(0.625)).toBeCloseTo(0.9875, 6);
  });

  it('builds a monotone curve from held-out outcomes, ending at all-frontier quality', () => {
    const outcomes = [
      { score: 0.9, weak: false, strong: true },
      { score: 0.8, weak: true, strong: false },
      { score: 0.2, weak: true, strong: true },
      { score: 0.1, weak: false, strong: true },
    ];
    const { shares, quality } = qualityCurveFrom(outcomes, 4);
    expect(shares).toEqual([0, 0.25, 0.5, 0.75, 1]);
    // Weak alone: 2 of 4 right, all-frontier 3 of 4; the top row gains, the second loses (kept monotone).
    expect(quality).toEqual([0.6667, 1, 1, 1, 1]);
  });

  it('derives the default share from the default target 0.99, and a tenant target or a fixed share overrides it', () => {
    const router = ComplexityRouter.load(catalog, { weights: withCurve() });
    expect(router.defaultQualityTarget).toBe(0.99);
    expect(router.defaultFrontierShare).toBe(0.75);
    const d = router.decide({ request: ask(EASY), requestedModel: 'auto' });
    expect(d.reason).toMatch(/frontier share 0\.75 for quality target 0\.99/);
    expect(router.decide({ request: ask(EASY), requestedModel: 'auto', policy: { qualityTarget: 0.95 } }).reason).toMatch(/frontier share 0\.25 for quality target 0\.95/);
    expect(router.decide({ request: ask(EASY), requestedModel: 'auto', frontierShare: 0.3 }).reason).toMatch(/frontier share 0\.3\)/);
    // The older knob keeps working: a configured share wins over the target.
    expect(ComplexityRouter.load(catalog, { weights: withCurve(), frontierShare: 0.4 }).defaultFrontierShare).toBe(0.4);
    expect(ComplexityRouter.load(catalog, { weights: withCurve(), qualityTarget: 0.95 }).defaultFrontierShare).toBe(0.25);
  });

  it('reads PARSIMONY_ROUTER_QUALITY_TARGET and rejects nonsense', () => {
    expect(routerDefaultsFromEnv({ PARSIMONY_ROUTER_QUALITY_TARGET: '0.97' })).toMatchObject({ qualityTarget: 0.97, frontierShare: undefined });
    expect(() => routerDefaultsFromEnv({ PARSIMONY_ROUTER_QUALITY_TARGET: '1.5' })).toThrow(/invalid/);
  });

  it('raises the share per task with shadow feedback, and floors the tier from 0.33 / 0.66', () => {
    const router = ComplexityRouter.load(catalog, { weights: withCurve() });
    const plain = router.decide({ request: ask(EASY), requestedModel: 'auto', task: 'classify' });
    expect(plain.tier).toBe('small');
    const other = router.decide({ request: ask(EASY), requestedModel: 'auto', task: 'classify', raises: { extract: 1 } });
    expect(other.tier).toBe('small');
    const raised = router.decide({ request: ask(EASY), requestedModel: 'auto', task: 'classify', raises: { classify: 0.2 } });
    expect(raised.reason).toMatch(/raised by shadow feedback 0\.2 for task classify → 0\.8\)/);
    expect(router.decide({ request: ask(EASY), requestedModel: 'auto', task: 'classify', raises: { classify: 0.34 } }).tier).toBe('mid');
    expect(router.decide({ request: ask(EASY), requestedModel: 'auto', task: 'classify', raises: { classify: 0.7 } }).tier).toBe('frontier');
    expect(router.decide({ request: ask(EASY), requestedModel: 'auto', task: 'classify', raises: { classify: 0.7 }, maxTier: 'mid' }).tier).toBe('mid');
  });
});

describe('out of distribution → frontier', () => {
  /** A stub encoder: one direction for "known" prompts, an orthogonal one for the rest. */
  const encoder: SentenceEncoder = {
    fingerprint: 'stub-3d',
    dimensions: 3,
    embedSync: (text) => (/sentiment/i.test(text) ? Float32Array.of(1, 0, 0) : Float32Array.of(0, 1, 0)),
  };
  const ood = { encoder: 'stub-3d', centroids: [[1, 0, 0]], threshold: 0.5, fire_rate: 0.02 };
  const router = ComplexityRouter.load(catalog, { weights: withCurve({ ood }), encoder });
  const FAR = 'Nenne mir ein Synonym für schnell.';

  it('sends a prompt far from every training centroid to the frontier and says why', () => {
    const known = router.decide({ request: ask(EASY), requestedModel: 'auto' });
    expect(known.ood).toBeUndefined();
    const far = router.decide({ request: ask(FAR), requestedModel: 'auto' });
    expect(far.tier).toBe('frontier');
    expect(far.ood).toEqual({ similarity: 0, threshold: 0.5 });
    expect(far.reason).toMatch(/out of distribution \(cosine 0\.000 to the nearest training centroid < 0\.500\): score not trusted → frontier/);
  });

  it('respects max_tier, leaves hinted requests to their hint, and is off with another encoder', () => {
    expect(router.decide({ request: ask(FAR), requestedModel: 'auto', maxTier: 'mid' }).tier).toBe('mid');
    expect(router.decide({ request: ask(FAR), requestedModel: 'auto', task: 'classify' }).ood).toBeUndefined();
    const other = ComplexityRouter.load(catalog, { weights: withCurve({ ood }), encoder: { ...encoder, fingerprint: 'other-3d' } });
    expect(other.usesEncoder).toBe(false);
    expect(other.decide({ request: ask(FAR), requestedModel: 'auto' }).ood).toBeUndefined();
  });

  it('leaves the everyday cap alone, as it leaves a detected plain task: chit-chat and short plain questions are read from their form', () => {
    for (const text of ['Hello!', 'Thanks so much!', 'Wie spät ist es in Tokio?']) {
      const d = router.decide({ request: ask(text), requestedModel: 'auto' });
      expect([text, d.ood, d.tier]).toEqual([text, undefined, expect.stringMatching(/^(small|mid)$/)]);
    }
  });
});
