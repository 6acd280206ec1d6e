import { Catalog } from '../../shared/core/catalog/catalog';
import { ComplexityRouter } from '../../shared/levers/routing/router';
import type { SentenceEncoder } from '../../shared/levers/routing/sentence-encoder';
import { assemble, heldOutPass } from './artifact';
import { oracleCeiling } from './ceiling';
import type { ReplayRow } from './datasets';
import { replayReport, type ReplayPolicy } from './evaluate';
import { replayMetrics } from './metrics';
import { loadRecipe, mmluRows, taskRows } from './recipe';
import { DEFAULT_CONFIG, prepareRows, type PreparedRow, type TrainConfig } from './training';

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * Leave-one-domain-out over a replay file, the router trained as route:train
 * trains it: APGR/CPT from the pooled held-out scores, and the decisions at
 * the policy from a full router per fold whose quality curve and
 * out-of-distribution threshold were chosen on the other domains only.
 */
export function lodoReport(rows: ReplayRow[], policy: ReplayPolicy, encoder?: SentenceEncoder, config: TrainConfig = DEFAULT_CONFIG, input?: { tasks: PreparedRow[]; prepared: PreparedRow[] }) {
  return lodoRun(rows, policy, encoder, config, input).report;
}

/** The report plus the held-out pass behind it (route:train builds the shipped weights' curve and OOD threshold from it). */
export function lodoRun(rows: ReplayRow[], policy: ReplayPolicy, encoder?: SentenceEncoder, config: TrainConfig = DEFAULT_CONFIG, input?: { tasks: PreparedRow[]; prepared: PreparedRow[] }) {
  const started = Date.now();
  const catalog = Catalog.load();
  const tasks = input?.tasks ?? prepareRows(taskRows(loadRecipe()), config.bits, encoder);
  const prepared = input?.prepared ?? prepareRows(mmluRows(rows, config), config.bits, encoder);
  const folds = new Map<string, { theta: Float32Array; centroids?: number[][] }>();
  const held = heldOutPass(rows, prepared, tasks, config, (domain, theta, centroids) => folds.set(domain, { theta, centroids }));

  const perDomain: Record<string, Record<string, number | null>> = {};
  const sums = { n: 0, strong: 0, correct: 0, ood: 0, routedCost: 0, frontierCost: 0, frontierCorrect: 0 };
  let shareTarget = 0;
  for (const [domain, fold] of folds) {
    const train = prepared.filter((r) => r.group !== domain);
    const others = held.outcomes.filter((o) => o.domain !== domain);
    const file = assemble(
      fold.theta,
      config,
      train,
      { outcomes: others, similarities: { mmlu: others.flatMap((o) => (o.similarity === undefined ? [] : [o.similarity])), tasks: held.similarities.tasks } },
      {
        encoder: encoder?.fingerprint,
        trainRows: train.concat(tasks),
        centroids: fold.centroids,
      },
    );
    const router = ComplexityRouter.load(catalog, { weights: file, encoder });
    const testRows = rows.filter((r) => (r.domain ?? r.source ?? 'replay') === domain);
    const rep = replayReport(router, testRows, policy, catalog);
    const n = testRows.length;
    const mine = held.outcomes.filter((o) => o.domain === domain);
    const metrics = replayMetrics(mine);
    perDomain[domain] = {
      n,
      apgr: metrics.apgr,
      weak: metrics.weak_accuracy,
      strong: metrics.strong_accuracy,
      accuracy: rep.at_default.accuracy,
      gap_points: rep.at_default.gap_points,
      strong_share: rep.at_default.strong_share,
      cost_saved: rep.at_default.cost_saved,
    };
    sums.n += n;
    sums.strong += rep.at_default.strong_share * n;
    sums.correct += rep.at_default.accuracy * n;
    sums.ood += rep.at_default.ood_fired * n;
    sums.frontierCorrect += rep.at_default.all_frontier_accuracy * n;
    sums.routedCost += rep.at_default.routed_cost_usd;
    sums.frontierCost += rep.at_default.all_frontier_cost_usd;
    shareTarget += rep.at_default.frontier_share_target * n;
  }
  const pooled = replayMetrics(held.outcomes);
  const apgrs = Object.values(perDomain).map((d) => d.apgr as number);
  const accuracy = sums.correct / sums.n;
  const frontierAccuracy = sums.frontierCorrect / sums.n;
  const report = {
    ...pooled,
    domains: folds.size,
    mean_domain_apgr: round(apgrs.reduce((a, b) => a + b, 0) / apgrs.length),
    encoder: encoder?.fingerprint ?? null,
    at_default: {
      quality_target: policy.frontierShare === undefined ? (policy.qualityTarget ?? 0.99) : null,
      frontier_share_target: round(shareTarget / sums.n),
      strong_share: round(sums.strong / sums.n),
      accuracy: round(accuracy),
      all_frontier_accuracy: round(frontierAccuracy),
      gap_points: Math.round(100 * (frontierAccuracy - accuracy) * 100) / 100,
      cost_saved: round(1 - sums.routedCost / sums.frontierCost),
      ood_fired: round(sums.ood / sums.n),
    },
    // What a perfect ranking could reach on these rows at these prices (within 1 point of all-frontier).
    ceiling: oracleCeiling(rows, 1, policy.outputTokens),
    seconds: Math.round((Date.now() - started) / 1000),
    per_domain: perDomain,
  };
  return { report, held };
}
