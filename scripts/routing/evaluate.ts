import { Catalog, type ModelEntry, type Tier } from '../../shared/core/catalog/catalog';
import { priceUsage } from '../../shared/core/accounting/pricing';
import type { ComplexityRouter } from '../../shared/levers/routing/router';
import { requestFromPrompt, requestFromTurns, type ReplayRow, type TaskRow } from './datasets';
import { replayMetrics, type ReplayMetrics } from './metrics';

const round = (x: number) => Math.round(x * 1e4) / 1e4;

export interface ReplayReport extends ReplayMetrics {
  at_default: {
    /** The policy: a fixed frontier share when one was given, else the quality target (and the share it derives). */
    quality_target: number | null;
    frontier_share_target: number;
    strong_share: number;
    accuracy: number;
    all_frontier_accuracy: number;
    /** Accuracy points below all-frontier (negative = above). */
    gap_points: number;
    /** 1 − routed cost / all-frontier cost (non-frontier decisions priced at the mid tier, see below). */
    cost_saved: number;
    /** Share of rows the out-of-distribution check sent to the frontier. */
    ood_fired: number;
    routed_cost_usd: number;
    all_frontier_cost_usd: number;
  };
}

export interface ReplayPolicy {
  frontierShare?: number;
  qualityTarget?: number;
  /** Output tokens assumed per answer for pricing (input = characters / 4). Default 100. */
  outputTokens?: number;
}

/**
 * Replays (prompt, weak_correct, strong_correct) rows: the threshold sweep
 * uses the raw score (RouteLLM's APGR/CPT); `at_default` uses full decisions
 * at the policy, counting the frontier tier as "strong" and any other tier as
 * "weak". Cost: the decided frontier model, or for the weak side the routed
 * mid model of the frontier's provider (its tier default) (the replay's weak model stands for
 * the mid tier, so a small-tier decision is not credited with a small price),
 * against every row on the catalog's default frontier model.
 */
export function replayReport(router: ComplexityRouter, rows: ReplayRow[], policy: ReplayPolicy = {}, catalog: Catalog = Catalog.load()): ReplayReport {
  let strongCalls = 0;
  let correct = 0;
  let ood = 0;
  let routedCost = 0;
  let frontierCost = 0;
  const out = policy.outputTokens ?? 100;
  const frontier = catalog.defaultFrontier;
  const weakModel = catalog.forTier('mid', frontier.provider)[0] ?? catalog.forTier('mid')[0];
  const price = (m: ModelEntry, chars: number) => priceUsage(m, { input_tokens: Math.ceil(chars / 4), output_tokens: out, cached_input_tokens: 0, cache_write_tokens: 0 });
  const outcomes = rows.map((r) => {
    const request = requestFromPrompt(r.prompt);
    const decision = router.decide({
      request,
      requestedModel: 'auto',
      frontierShare: policy.frontierShare,
      policy: policy.qualityTarget !== undefined ? { qualityTarget: policy.qualityTarget } : undefined,
    });
    const strong = decision.tier === 'frontier';
    if (strong) strongCalls++;
    if (decision.ood) ood++;
    if (strong ? r.strong_correct : r.weak_correct) correct++;
    routedCost += price(strong ? catalog.get(decision.model) : weakModel, r.prompt.length);
    frontierCost += price(frontier, r.prompt.length);
    return { score: decision.score, weak: r.weak_correct, strong: r.strong_correct };
  });
  const metrics = replayMetrics(outcomes);
  const target = policy.frontierShare === undefined ? (policy.qualityTarget ?? router.defaultQualityTarget) : null;
  return {
    ...metrics,
    at_default: {
      quality_target: target,
      frontier_share_target: policy.frontierShare ?? (target !== null ? router.shareForTarget(target) : router.defaultFrontierShare),
      strong_share: round(strongCalls / rows.length),
      accuracy: round(correct / rows.length),
      all_frontier_accuracy: metrics.strong_accuracy,
      gap_points: round(100 * (metrics.strong_accuracy - correct / rows.length)),
      cost_saved: round(1 - routedCost / frontierCost),
      ood_fired: round(ood / rows.length),
      routed_cost_usd: Math.round(routedCost * 1e6) / 1e6,
      all_frontier_cost_usd: Math.round(frontierCost * 1e6) / 1e6,
    },
  };
}

export type TierMix = Record<Tier, number>;

/**
 * Tier shares per category (or task, or "all"). A multi-turn row is routed
 * turn by turn, each turn with the conversation so far; there is no session
 * floor (it only rises on escalations, which a replay has none of), and the
 * row counts at its last turn's tier.
 */
export function tasksReport(router: ComplexityRouter, rows: TaskRow[], options: { hints?: boolean; frontierShare?: number } = {}) {
  const counts = new Map<string, TierMix>();
  let ood = 0;
  const bump = (key: string, tier: Tier) => {
    const c = counts.get(key) ?? { small: 0, mid: 0, frontier: 0 };
    c[tier]++;
    counts.set(key, c);
  };
  for (const row of rows) {
    const task = options.hints ? row.task : undefined;
    let tier: Tier | undefined;
    if (row.turns) {
      for (let i = 0; i < row.turns.length; i++) {
        const d = router.decide({ request: requestFromTurns(row.turns, i), requestedModel: 'auto', task, frontierShare: options.frontierShare });
        tier = d.tier;
        if (i === row.turns.length - 1 && d.ood) ood++;
      }
    } else {
      const d = router.decide({ request: requestFromPrompt(row.prompt!, row), requestedModel: 'auto', task, frontierShare: options.frontierShare });
      tier = d.tier;
      if (d.ood) ood++;
    }
    bump(row.category ?? row.task ?? 'all', tier!);
    if (row.category || row.task) bump('all', tier!);
  }
  const by_category: Record<string, TierMix> = {};
  for (const [key, c] of [...counts].sort(([a], [b]) => (a === 'all' ? 1 : b === 'all' ? -1 : a.localeCompare(b)))) {
    const n = c.small + c.mid + c.frontier;
    by_category[key] = { small: round(c.small / n), mid: round(c.mid / n), frontier: round(c.frontier / n) };
  }
  return { n: rows.length, ood_fired: round(ood / Math.max(1, rows.length)), by_category };
}
