import type { Tier } from '../../shared/core/catalog/catalog';
import type { ComplexityRouter } from '../../shared/levers/routing/router';
import { requestFromPrompt, requestFromTurns, type ReplayRow, type TaskRow } from './datasets';
import { replayMetrics, type ReplayMetrics } from './metrics';

const round = (x: number) => Math.round(x * 1e4) / 1e4;

export interface ReplayReport extends ReplayMetrics {
  at_default: { strong_share: number; accuracy: number; frontier_share_target: number };
}

/**
 * Replays (prompt, weak_correct, strong_correct) rows: the threshold sweep
 * uses the raw score (RouteLLM's APGR/CPT); `at_default` uses full decisions
 * at the configured frontier share, counting the frontier tier as "strong".
 */
export function replayReport(router: ComplexityRouter, rows: ReplayRow[], frontierShare?: number): ReplayReport {
  let strongCalls = 0;
  let correct = 0;
  const outcomes = rows.map((r) => {
    const request = requestFromPrompt(r.prompt);
    const decision = router.decide({ request, requestedModel: 'auto', frontierShare });
    const strong = decision.tier === 'frontier';
    if (strong) strongCalls++;
    if (strong ? r.strong_correct : r.weak_correct) correct++;
    return { score: decision.score, weak: r.weak_correct, strong: r.strong_correct };
  });
  return {
    ...replayMetrics(outcomes),
    at_default: {
      strong_share: round(strongCalls / rows.length),
      accuracy: round(correct / rows.length),
      frontier_share_target: frontierShare ?? router.defaultFrontierShare,
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
        tier = router.decide({ request: requestFromTurns(row.turns, i), requestedModel: 'auto', task, frontierShare: options.frontierShare }).tier;
      }
    } else {
      tier = router.decide({ request: requestFromPrompt(row.prompt!, row), requestedModel: 'auto', task, frontierShare: options.frontierShare }).tier;
    }
    bump(row.category ?? row.task ?? 'all', tier!);
    if (row.category || row.task) bump('all', tier!);
  }
  const by_category: Record<string, TierMix> = {};
  for (const [key, c] of [...counts].sort(([a], [b]) => (a === 'all' ? 1 : b === 'all' ? -1 : a.localeCompare(b)))) {
    const n = c.small + c.mid + c.frontier;
    by_category[key] = { small: round(c.small / n), mid: round(c.mid / n), frontier: round(c.frontier / n) };
  }
  return { n: rows.length, by_category };
}
