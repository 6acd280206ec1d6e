/**
 * npm run cache:calibrate -- --pairs FILE [--target-precision 0.97] [--split all|calib|eval]
 *
 * Runs each pair through the real cache path with the guards on and no
 * threshold, records the similarity at which `b` would be served from `a`,
 * and prints one JSON line: the lowest threshold reaching the target
 * precision, and the precision/recall curve. Use the result as a tenant's
 * or a task type's `threshold` / `task_thresholds` entry.
 */
import { precisionRecallCurve, sampleCurve, splitOf, thresholdForPrecision, type LabelledScore } from '../../shared/levers/cache/calibration';
import { arg, PairHarness, readPairs } from './pair-harness';

async function main(): Promise<void> {
  const file = arg('pairs');
  if (!file) throw new Error('usage: npm run cache:calibrate -- --pairs FILE --target-precision 0.97');
  const target = Number(arg('target-precision', '0.97'));
  const which = arg('split', 'all');
  const pairs = readPairs(file).filter((p) => which === 'all' || splitOf(p.a, p.b) === which);
  const harness = new PairHarness();
  await harness.init();
  try {
    for (let i = 0; i < pairs.length; i++) await harness.storeA(i, pairs[i]);
    const scores: LabelledScore[] = [];
    for (let i = 0; i < pairs.length; i++) {
      const { a } = await harness.lookupB(i, pairs[i], { threshold: 0 });
      scores.push({ score: a.hit ? (a.score ?? a.similarity ?? null) : null, same: pairs[i].same });
    }
    const chosen = thresholdForPrecision(scores, target);
    const curve = precisionRecallCurve(scores);
    const r4 = (x: number) => Math.round(x * 10000) / 10000;
    process.stdout.write(
      `${JSON.stringify({
        pairs: pairs.length,
        positives: scores.filter((s) => s.same).length,
        split: which,
        target_precision: target,
        threshold: chosen ? r4(chosen.threshold) : null,
        precision: chosen ? r4(chosen.precision) : null,
        recall: chosen ? r4(chosen.recall) : null,
        hits: chosen?.hits ?? 0,
        embedder: harness.cache.embedder.fingerprint,
        curve: sampleCurve(curve).map((p) => ({ threshold: p.threshold, hits: p.hits, precision: r4(p.precision), recall: r4(p.recall) })),
      })}\n`,
    );
  } finally {
    await harness.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
