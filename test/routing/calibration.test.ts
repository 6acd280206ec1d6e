import { Catalog } from '../../shared/core/catalog/catalog';
import { Calibration, computeQuantiles } from '../../shared/levers/routing/calibration';
import { ComplexityRouter } from '../../shared/levers/routing/router';
import { ask } from './helpers';

describe('Calibration', () => {
  const cal = new Calibration(computeQuantiles(Array.from({ length: 1000 }, (_, i) => i / 999)));

  it('turns a target share into the matching quantile threshold', () => {
    expect(cal.thresholdForShare(0.3)).toBeCloseTo(0.7, 3);
    expect(cal.thresholdForShare(0.5)).toBeCloseTo(0.5, 3);
    expect(cal.thresholdForShare(0)).toBe(Number.POSITIVE_INFINITY);
    expect(cal.thresholdForShare(1)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('is monotone: a larger share never raises the threshold', () => {
    let last = Number.POSITIVE_INFINITY;
    for (let s = 0; s <= 1.0001; s += 0.05) {
      const t = cal.thresholdForShare(s);
      expect(t).toBeLessThanOrEqual(last);
      last = t;
    }
  });

  it('inverts: shareAtOrAbove(thresholdForShare(s)) ≈ s', () => {
    for (const s of [0.1, 0.25, 0.5, 0.8]) expect(cal.shareAtOrAbove(cal.thresholdForShare(s))).toBeCloseTo(s, 2);
  });
});

/** Fixture traffic made in the test: templated prompts of varied shape and difficulty. */
function fixturePrompts(): string[] {
  const subjects = [
    'the tax return',
    'a hiking trip',
    'our database',
    'the quarterly report',
    'a birthday party',
    'photosynthesis',
    'the court ruling',
    'a chess opening',
    'my resume',
    'the API outage',
  ];
  const frames = [
    (s: string) => `Classify this message about ${s} as urgent or not urgent.`,
    (s: string) => `Extract every date mentioned in the notes about ${s}.`,
    (s: string) => `Write a detailed essay about ${s}, comparing at least three viewpoints.`,
    (s: string) => `What is ${s}?`,
    (s: string) => `Plan the next six months of work on ${s}, with milestones and risks.`,
    (s: string) => `Which of the following best describes ${s}?\nA. cheap\nB. costly\nC. irrelevant\nD. unknown\nAnswer:`,
    (s: string) => `If ${s} takes 3 hours and costs $45 per hour plus a $20 fee, what is the total cost for 7 of them?`,
    (s: string) => `Summarize the discussion about ${s} in two sentences.`,
    (s: string) => `Translate "I will send ${s} tomorrow" into German.`,
    (s: string) => `Implement a Python function that validates ${s} records and write unit tests for it.`,
  ];
  return subjects.flatMap((s, i) => frames.map((f, j) => `${f(s)}${(i + j) % 3 === 0 ? ' Please be brief.' : ''}`));
}

describe('ComplexityRouter calibration on a fixture', () => {
  const catalog = Catalog.load();
  const base = ComplexityRouter.load(catalog);
  const prompts = fixturePrompts();
  const scores = prompts.map((p) => base.score(ask(p)).score);
  // Calibrate on the fixture itself, as a tenant would on its own traffic.
  const router = ComplexityRouter.load(catalog, { quantiles: computeQuantiles(scores) });

  // The score's own tier is the first clause of the reason ("score … → frontier"); shape rules applied after it
  // (everyday question, detected summary: capped at mid) are not the calibration's business.
  const scoreSaysFrontier = (reason: string) => /^score [^;]*→ frontier(;|$)/.test(reason);

  it.each([0.2, 0.3, 0.5, 0.7])('sends about %p of the fixture to the frontier tier by score', (share) => {
    // openTaskFloor "mid": guards then only raise small→mid, so the frontier share is the score's alone.
    const decisions = prompts.map((p) => router.decide({ request: ask(p), requestedModel: 'auto', frontierShare: share, policy: { openTaskFloor: 'mid' } }));
    const frontier = decisions.filter((d) => scoreSaysFrontier(d.reason)).length;
    expect(Math.abs(frontier / prompts.length - share)).toBeLessThanOrEqual(0.02);
    // Whatever the score says, only the shape rules lower a frontier pick, and only to mid.
    for (const d of decisions) if (scoreSaysFrontier(d.reason) && d.tier !== 'frontier') expect([d.tier, d.reason]).toEqual(['mid', expect.stringMatching(/capped at mid/)]);
  });

  it('takes the share from the tenant policy when the request does not set one', () => {
    const frontier = prompts.filter((p) => scoreSaysFrontier(router.decide({ request: ask(p), requestedModel: 'auto', policy: { frontierShare: 0.1, openTaskFloor: 'mid' } }).reason)).length;
    expect(Math.abs(frontier / prompts.length - 0.1)).toBeLessThanOrEqual(0.02);
  });

  it('sends about smallShare of the fixture to the small tier when no guard applies', () => {
    const decisions = prompts.map((p) => router.decide({ request: ask(p), requestedModel: 'auto', frontierShare: 0.2, smallShare: 0.4, policy: { openTaskFloor: 'mid' } }));
    const small = decisions.filter((d) => d.tier === 'small').length;
    const guarded = decisions.filter((d) => /never goes below mid/.test(d.reason)).length;
    expect(small / prompts.length).toBeLessThanOrEqual(0.42);
    expect((small + guarded) / prompts.length).toBeGreaterThanOrEqual(0.38);
  });
});
