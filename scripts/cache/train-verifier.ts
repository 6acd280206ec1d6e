/**
 * npm run cache:train-verifier -- --pairs HARD.jsonl [--plain A.jsonl,B.jsonl] [--target-precision 0.975] [--out FILE] [--folds 5]
 *   [--learner blend|boosted|logistic] [--rounds 200 --depth 4 --rate 0.05] [--no-statement-threshold] [--no-ablation]
 *
 * Trains the cache's learned verifier (by default boosted shallow trees
 * blended with a logistic regression, or either alone, over pair features, see
 * shared/levers/cache/verifier/) for the configured embedder on the dev pairs
 * only: the hard question pairs plus the plain paraphrases (and negatives of
 * the plain kind made from them by one meaning-changing edit). Evaluation is
 * nested grouped CV: pairs sharing a question (connected components) never
 * straddle folds, and each outer fold's thresholds are chosen by an inner CV
 * on the training folds — one on the hard pairs, and one for statement pairs
 * (neither text a question) on the statement rows, both for the target
 * precision. Every feature group (the former guards among them) is ablated —
 * retrained without it — on both kinds of pairs, and kept only if removing it
 * hurts the hard pairs' recall at the target precision or the plain
 * paraphrases' hit rate. Writes the weights to
 * shared/levers/cache/verifier/models/<embedder fingerprint>.json and prints
 * one JSON line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Catalog } from '../../shared/core/catalog/catalog';
import { createEmbedder, embedderConfigFromEnv } from '../../shared/levers/cache/embedders/create-embedder';
import { fitBoosted } from '../../shared/levers/cache/verifier/boosted-trees';
import { FEATURE_GROUPS, FEATURE_NAMES, isStatementPair, pairFeatures, type FeatureGroup } from '../../shared/levers/cache/verifier/pair-features';
import { fitLogistic, type PairModel } from '../../shared/levers/cache/verifier/pair-model';
import { prepareTexts } from '../../shared/levers/cache/verifier/prepare';
import { modelPathFor } from '../../shared/levers/cache/verifier/verifier';
import { arg } from './pair-harness';
import { chooseStatementThreshold, chooseThreshold, crossValidate, type CvResult, type Learner, type TrainingSet } from './verifier-cv';
import { groupFolds, loadVerifierPairs } from './verifier-data';

const DEFAULT_PLAIN = ['../shared/data/cache-paraphrase-dev.jsonl', 'scripts/cache/plain-paraphrases.jsonl'];

async function main(): Promise<void> {
  const hardFile = arg('pairs');
  if (!hardFile) throw new Error('usage: npm run cache:train-verifier -- --pairs HARD.jsonl [--plain A,B]');
  const plainFiles = (arg('plain') ?? DEFAULT_PLAIN.join(',')).split(',');
  const target = Number(arg('target-precision', '0.975'));
  const folds = Number(arg('folds', '5'));
  const plainWeight = Number(arg('plain-weight', '8'));
  const l2 = Number(arg('l2', '1'));
  // By default the blend of boosted shallow trees and the logistic regression (margins averaged): in nested grouped CV
  // it keeps the regression's precision at the top of the hard pairs and the trees' gains on both kinds (session 5).
  const kind = arg('learner', 'blend');
  const trees = { rounds: Number(arg('rounds', '200')), depth: Number(arg('depth', '4')), rate: Number(arg('rate', '0.05')) };
  const learner: Learner = kind === 'logistic' ? { kind, l2 } : kind === 'boosted' ? { kind, ...trees } : { kind: 'blend', l2, ...trees };
  const negativeWeight = Number(arg('plain-negative-weight', '2'));
  const embedder = createEmbedder(embedderConfigFromEnv(), Catalog.load());
  const rankOf = embedder.rankOf?.bind(embedder);
  const wordVectorOf = embedder.wordVector?.bind(embedder);

  const pairs = loadVerifierPairs(hardFile, plainFiles).filter((p) => p.kind !== 'plain_negative' || !process.argv.includes('--no-plain-negatives'));
  const prepared = await prepareTexts(
    pairs.flatMap((p) => [p.a, p.b]),
    embedder,
  );
  const set: TrainingSet = {
    x: pairs.map((p) => pairFeatures(prepared.get(p.a)!, prepared.get(p.b)!, rankOf, undefined, wordVectorOf)),
    y: pairs.map((p) => (p.same ? 1 : 0)),
    kind: pairs.map((p) => p.kind),
    fold: groupFolds(pairs, folds),
    weight: pairs.map((p) => (p.kind === 'hard' ? 1 : p.kind === 'plain' ? plainWeight : negativeWeight)),
    folds,
    statement: pairs.map((p) => isStatementPair(prepared.get(p.a)!, prepared.get(p.b)!)),
    statementThreshold: !process.argv.includes('--no-statement-threshold'),
  };
  const indexOf = (groups: FeatureGroup[]) => groups.flatMap((g) => FEATURE_GROUPS[g].map((f) => FEATURE_NAMES.indexOf(f)));
  const allGroups = Object.keys(FEATURE_GROUPS) as FeatureGroup[];
  const summary = (r: CvResult) => ({
    hard: r.hard,
    plain_hit_rate: r.plain.hit_rate,
    plain_negative_false_hit_rate: r.plain_negative.false_hit_rate,
    statements: {
      plain_hit_rate: r.plain.statements.hit_rate,
      plain_negative_false_hit_rate: r.plain_negative.statements.false_hit_rate,
      pairs: r.plain.statements.pairs + r.plain_negative.statements.pairs,
    },
  });

  const full = crossValidate(set, indexOf(allGroups), target, learner);
  const ablation: Record<string, unknown> = {};
  const kept: FeatureGroup[] = [];
  for (const g of process.argv.includes('--no-ablation') ? [] : allGroups) {
    const without = crossValidate(set, indexOf(allGroups.filter((x) => x !== g)), target, learner);
    // Kept only when it earns its place: removing it loses hard-pair recall at the target precision,
    // or plain-paraphrase hits, or lets more plain negatives through.
    const helps = without.hard.recall < full.hard.recall - 0.002 || without.plain.hit_rate < full.plain.hit_rate || without.plain_negative.false_hit_rate > full.plain_negative.false_hit_rate;
    const hurts = without.hard.recall > full.hard.recall + 0.002 && without.plain.hit_rate >= full.plain.hit_rate && without.plain_negative.false_hit_rate <= full.plain_negative.false_hit_rate;
    if (helps && !hurts) kept.push(g);
    ablation[g] = { features: FEATURE_GROUPS[g], kept: helps && !hurts, without: summary(without) };
  }
  if (process.argv.includes('--no-ablation')) kept.push(...allGroups);
  if (!kept.includes('embedding')) kept.unshift('embedding');
  const idx = indexOf(kept);
  const final = crossValidate(set, idx, target, learner);
  const rows = [...set.x.keys()];
  if (process.env.VERIFIER_DEBUG) {
    const q = (k: string) =>
      rows
        .filter((i) => set.kind[i] === k)
        .map((i) => final.oof[i])
        .sort((a, b) => a - b);
    for (const k of ['plain', 'plain_negative']) {
      const v = q(k);
      if (!v.length) continue;
      process.stderr.write(`${k} ${[0.1, 0.25, 0.5, 0.75, 0.9].map((p) => v[Math.floor(p * v.length)].toFixed(3)).join(' ')}\n`);
    }
    const hp = rows
      .filter((i) => set.kind[i] === 'hard' && set.y[i] === 1)
      .map((i) => final.oof[i])
      .sort((a, b) => a - b);
    const hn = rows
      .filter((i) => set.kind[i] === 'hard' && set.y[i] === 0)
      .map((i) => final.oof[i])
      .sort((a, b) => a - b);
    process.stderr.write(
      `hard+ ${[0.5, 0.75, 0.9].map((p) => hp[Math.floor(p * hp.length)].toFixed(3)).join(' ')} hard- ${[0.5, 0.9, 0.99].map((p) => hn[Math.floor(p * hn.length)].toFixed(3)).join(' ')}\n`,
    );
  }
  const threshold = chooseThreshold(set, rows, final.oof, target);
  const statementThreshold = set.statementThreshold ? chooseStatementThreshold(set, rows, final.oof, target) : null;
  const picked = rows.map((i) => Float64Array.from(idx, (j) => set.x[i][j]));
  const linear = learner.kind === 'boosted' ? { mean: [], std: [], weights: [], bias: 0 } : fitLogistic(picked, set.y, set.weight, l2);
  const boosted = learner.kind === 'logistic' ? undefined : fitBoosted(picked, set.y, set.weight, learner);
  const r4 = (x: number) => Math.round(x * 1e6) / 1e6;
  const counts = { hard: set.kind.filter((k) => k === 'hard').length, plain: set.kind.filter((k) => k === 'plain').length, plain_negative: set.kind.filter((k) => k === 'plain_negative').length };
  const model: PairModel = {
    version: boosted || statementThreshold !== null ? 2 : 1,
    embedder: embedder.fingerprint,
    features: idx.map((j) => FEATURE_NAMES[j]),
    mean: linear.mean.map(r4),
    std: linear.std.map(r4),
    weights: linear.weights.map(r4),
    bias: r4(linear.bias),
    ...(boosted ? { trees: boosted.trees, trees_bias: r4(boosted.bias), rate: boosted.rate } : {}),
    threshold: r4(threshold),
    ...(statementThreshold !== null ? { statement_threshold: r4(statementThreshold) } : {}),
    trained: {
      learner,
      pairs: counts,
      target_precision: target,
      folds,
      plain_weight: plainWeight,
      plain_negative_weight: negativeWeight,
      grouped_cv: summary(final),
      all_features_cv: summary(full),
      kept_groups: kept,
      ablation,
      files: [hardFile, ...plainFiles].map((f) => basename(f)),
    },
  };
  const out = arg('out') ?? modelPathFor(embedder.fingerprint);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(model, null, 1)}\n`);
  process.stdout.write(
    `${JSON.stringify({ embedder: embedder.fingerprint, out: join(out), pairs: counts, target_precision: target, threshold: model.threshold, all_features_cv: summary(full), kept_groups: kept, statement_threshold: model.statement_threshold, final_cv: { ...summary(final), fold_thresholds: final.thresholds, fold_statement_thresholds: final.statement_thresholds }, ablation })}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
