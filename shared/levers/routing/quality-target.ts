import type { WeightsFile } from './weights-file';

/**
 * The policy users choose by: a quality target (0.99 = routed quality within
 * 1% of all-frontier) instead of a frontier share. The weights file carries
 * the curve measured leave-one-domain-out (routed accuracy over all-frontier
 * accuracy as a function of the share of traffic sent to the frontier, by
 * score); the frontier share for a target is the smallest share whose
 * held-out quality reaches it. Per tenant and task, production feedback
 * (guards/threshold-feedback.ts) moves the share from there.
 */
export class QualityCurve {
  constructor(
    private readonly shares: readonly number[],
    private readonly quality: readonly number[],
    readonly source: string,
  ) {}

  static fromFile(file: Pick<WeightsFile, 'quality_curve'>): QualityCurve | undefined {
    const c = file.quality_curve;
    return c ? new QualityCurve(c.shares, c.quality, c.source) : undefined;
  }

  /** Smallest frontier share whose measured quality reaches `target` (1 when none does). */
  frontierShareFor(target: number): number {
    for (let i = 0; i < this.shares.length; i++) if (this.quality[i] >= target - 1e-9) return this.shares[i];
    return 1;
  }

  /** Expected quality at a frontier share (linear between measured points). */
  qualityAt(share: number): number {
    const s = this.shares;
    if (share <= s[0]) return this.quality[0];
    for (let i = 1; i < s.length; i++) {
      if (share <= s[i]) return this.quality[i - 1] + ((this.quality[i] - this.quality[i - 1]) * (share - s[i - 1])) / (s[i] - s[i - 1]);
    }
    return this.quality[this.quality.length - 1];
  }
}

/**
 * The curve from held-out (score, weak_correct, strong_correct) outcomes: at
 * share s the top s of rows by score get the strong answer, the rest the weak.
 * Quality is relative to all-strong accuracy, made monotone (a larger share
 * never promises less) and rounded.
 */
export function qualityCurveFrom(outcomes: readonly { score: number; weak: boolean; strong: boolean }[], steps = 50): { shares: number[]; quality: number[] } {
  const n = outcomes.length;
  const order = [...outcomes].sort((a, b) => b.score - a.score);
  const strongAll = outcomes.filter((o) => o.strong).length;
  let correct = outcomes.filter((o) => o.weak).length;
  const curve: number[] = [correct];
  for (const o of order) curve.push((correct += (o.strong ? 1 : 0) - (o.weak ? 1 : 0)));
  const shares: number[] = [];
  const quality: number[] = [];
  let best = 0;
  for (let i = 0; i <= steps; i++) {
    const share = i / steps;
    best = Math.max(best, curve[Math.round(share * n)] / Math.max(1, strongAll));
    shares.push(share);
    quality.push(Math.round(best * 1e4) / 1e4);
  }
  return { shares, quality };
}
