import { Catalog, type ModelEntry } from '../../shared/core/catalog/catalog';
import { priceUsage } from '../../shared/core/accounting/pricing';
import type { ReplayRow } from './datasets';

/**
 * What a perfect router could do on a replay, priced as replayReport prices it (weak side at the mid
 * model of the frontier's provider, input = characters / 4, `outputTokens` per answer): the smallest
 * frontier share that keeps routed accuracy within `maxGapPoints` of all-frontier, sending only rows the
 * weak model gets wrong and the strong one right (cheapest first), and the cost it saves; and the saving
 * with no frontier call at all. A target above `oracle.cost_saved` cannot be met by any ranking.
 */
export function oracleCeiling(rows: ReplayRow[], maxGapPoints = 1, outputTokens = 100, catalog: Catalog = Catalog.load()) {
  const frontier = catalog.defaultFrontier;
  const mid = catalog.forTier('mid', frontier.provider)[0] ?? catalog.forTier('mid')[0];
  const price = (m: ModelEntry, chars: number) => priceUsage(m, { input_tokens: Math.ceil(chars / 4), output_tokens: outputTokens, cached_input_tokens: 0, cache_write_tokens: 0 });
  const n = rows.length;
  const allFrontier = rows.reduce((a, r) => a + price(frontier, r.prompt.length), 0);
  const allMid = rows.reduce((a, r) => a + price(mid, r.prompt.length), 0);
  const needed = Math.max(0, Math.ceil(rows.filter((r) => r.strong_correct).length - (maxGapPoints / 100) * n - rows.filter((r) => r.weak_correct).length - 1e-9));
  const gains = rows.filter((r) => r.strong_correct && !r.weak_correct).sort((a, b) => a.prompt.length - b.prompt.length);
  const sent = gains.slice(0, needed);
  const cost = allMid + sent.reduce((a, r) => a + price(frontier, r.prompt.length) - price(mid, r.prompt.length), 0);
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    max_gap_points: maxGapPoints,
    mid_model: mid.id,
    frontier_model: frontier.id,
    no_frontier_cost_saved: round(1 - allMid / allFrontier),
    oracle: { strong_share: round(sent.length / n), cost_saved: round(1 - cost / allFrontier) },
  };
}
