/**
 * npm run cache:eval -- --pairs FILE [--threshold X] [--split all|calib|eval] [--no-ablation]
 *
 * For each {a, b, same} pair: stores an answer for `a` and looks up `b`
 * through the real cache path (see pair-harness.ts). Prints one JSON line:
 * the metrics for the chosen pairs, the same per half of the deterministic
 * calibration/evaluation split, and a guard ablation (each guard switched off
 * alone: what precision/recall would be without it).
 */
import { percentile, splitOf } from '../../shared/levers/cache/calibration';
import { GUARD_NAMES } from '../../shared/levers/cache/guards/false-hit-guards';
import { arg, PairHarness, readPairs, type Pair } from './pair-harness';

interface Outcome {
  pair: Pair;
  hit: boolean;
  ms: number;
  rejectedBy: string[];
}

function metrics(outcomes: Outcome[]) {
  const positives = outcomes.filter((o) => o.pair.same).length;
  const hits = outcomes.filter((o) => o.hit);
  const trueHits = hits.filter((o) => o.pair.same).length;
  const r4 = (x: number) => Math.round(x * 10000) / 10000;
  return {
    pairs: outcomes.length,
    positives,
    hits: hits.length,
    true_hits: trueHits,
    false_hits: hits.length - trueHits,
    precision: hits.length ? r4(trueHits / hits.length) : null,
    recall: positives ? r4(trueHits / positives) : null,
  };
}

async function main(): Promise<void> {
  const file = arg('pairs');
  if (!file) throw new Error('usage: npm run cache:eval -- --pairs FILE [--threshold X] [--split all|calib|eval]');
  const which = arg('split', 'all');
  const pairs = readPairs(file).filter((p) => which === 'all' || splitOf(p.a, p.b) === which);
  const harness = new PairHarness();
  await harness.init();
  const threshold = Number(arg('threshold', String(harness.defaultThreshold)));
  try {
    for (let i = 0; i < pairs.length; i++) await harness.storeA(i, pairs[i]);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < pairs.length; i++) {
      const { a, ms } = await harness.lookupB(i, pairs[i], { threshold });
      outcomes.push({ pair: pairs[i], hit: a.hit, ms, rejectedBy: Object.keys(a.rejected_by ?? {}) });
    }
    const ablation: Record<string, unknown> = {};
    if (!process.argv.includes('--no-ablation')) {
      for (const guard of GUARD_NAMES) {
        const off: Outcome[] = [];
        for (let i = 0; i < pairs.length; i++) {
          const { a, ms } = await harness.lookupB(i, pairs[i], { threshold, disabledGuards: [guard] });
          off.push({ pair: pairs[i], hit: a.hit, ms, rejectedBy: [] });
        }
        const m = metrics(off);
        ablation[guard] = { without: { precision: m.precision, recall: m.recall, hits: m.hits, false_hits: m.false_hits } };
      }
      const none: Outcome[] = [];
      for (let i = 0; i < pairs.length; i++) {
        const { a, ms } = await harness.lookupB(i, pairs[i], { threshold, disabledGuards: [...GUARD_NAMES] });
        none.push({ pair: pairs[i], hit: a.hit, ms, rejectedBy: [] });
      }
      const m = metrics(none);
      ablation.all_guards_off = { precision: m.precision, recall: m.recall, hits: m.hits, false_hits: m.false_hits };
    }
    const ms = outcomes.map((o) => o.ms);
    const rejections: Record<string, number> = {};
    for (const o of outcomes) for (const g of o.rejectedBy) rejections[g] = (rejections[g] ?? 0) + 1;
    const bySplit = (s: string) => metrics(outcomes.filter((o) => splitOf(o.pair.a, o.pair.b) === s));
    const result = {
      ...metrics(outcomes),
      threshold,
      p50_lookup_ms: Math.round(percentile(ms, 50) * 1000) / 1000,
      p99_lookup_ms: Math.round(percentile(ms, 99) * 1000) / 1000,
      embedder: harness.cache.embedder.fingerprint,
      store: harness.cache.store.kind,
      split: which,
      splits: which === 'all' ? { calib: bySplit('calib'), eval: bySplit('eval') } : undefined,
      guard_rejections: rejections,
      ablation,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await harness.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
