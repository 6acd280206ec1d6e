import type { ModelEntry } from '../../core/catalog/catalog';
import type { CompactionPolicy } from './context-config';
import { compactionPays, type CompactionCostDecision } from './cost-model';
import type { StoredSummary, SummaryStore } from './summary-store';
import type { ToolCycle } from './tool-cycles';

/**
 * Where a request is compacted up to, decided once per compaction step and
 * remembered, so every later call of the chain makes the same choice and the
 * compacted prefix stays byte-stable:
 *
 * The schedule (compactionBoundary) proposes boundaries on a fixed grid (steps
 * of window − keep cycles). The first call that reaches a new grid point asks
 * the cost model whether advancing there pays against staying at the previous
 * advanced point; the answer is stored (`dec:<model>:<prefix hash>`). A skipped
 * step leaves the request at the highest earlier point that was advanced (or
 * uncompacted), which is exactly the prefix the provider has cached.
 */
export interface BoundaryChoice {
  /** Boundary (in cycles) to compact to; 0 = leave the request as sent. */
  boundary: number;
  cost?: CompactionCostDecision & { proposed: number };
}

/** Tokens of the request at a boundary, as the compactor would send it (the summary path estimates the note). */
export type TokensAt = (boundary: number) => Promise<number>;

export interface DecisionInputs {
  model: ModelEntry;
  policy: CompactionPolicy;
  store?: SummaryStore;
  /** The schedule's boundary for this call. */
  proposed: number;
  cycles: readonly ToolCycle[];
  keyFor: (boundary: number) => string;
  tokensAt: TokensAt;
  /** Tokens unchanged by any compaction (tools + system). */
  headTokens: number;
  /** Tokens of the messages since the previous call (from the last assistant turn on); computed only when deciding. */
  newTokens: () => number;
  remaining: number;
  /** Expected tokens each later call adds; computed only when deciding. */
  growth: () => number;
  /** Estimated USD of a new summary (0 for `mask`). */
  summaryUsd: (boundary: number) => number;
}

/** How many earlier grid points are looked at for the state the chain is in. */
const LOOKBACK_STEPS = 4;

const decisionKey = (model: ModelEntry, key: string) => `dec:${model.id}:${key}`;

export async function chooseBoundary(input: DecisionInputs): Promise<BoundaryChoice> {
  const { model, policy, store, proposed } = input;
  const step = Math.max(1, policy.window - policy.keep);
  const grid: number[] = [];
  for (let b = proposed; b > 0 && grid.length <= LOOKBACK_STEPS; b -= step) grid.push(b);
  const keys = grid.map(input.keyFor);
  const found = store ? await store.getMany(keys.map((k) => decisionKey(model, k))) : grid.map(() => undefined);
  const decided = (i: number): 'advance' | 'skip' | undefined => (found[i]?.decision as 'advance' | 'skip' | undefined) ?? undefined;
  // The state the chain is in: the highest earlier grid point that was advanced.
  let current = 0;
  for (let i = 1; i < grid.length; i++)
    if (decided(i) === 'advance') {
      current = grid[i];
      break;
    }
  const known = decided(0);
  if (known) return { boundary: known === 'advance' ? proposed : current };

  const [stayTokens, advanceTokens] = await Promise.all([input.tokensAt(current), input.tokensAt(proposed)]);
  const cost = compactionPays({
    model,
    stayTokens,
    advanceTokens,
    newTokens: input.newTokens(),
    headTokens: input.headTokens,
    remaining: input.remaining,
    growth: input.growth(),
    summaryUsd: input.summaryUsd(proposed),
  });
  if (store) {
    const record: StoredSummary = { block: '', block_tokens: 0, summary: '', cycles: proposed, replaced_tokens: 0, created_at: new Date().toISOString(), decision: cost.decision };
    const winner = await store.putIfAbsent(decisionKey(model, keys[0]), record);
    if (winner.decision && winner.decision !== cost.decision)
      return { boundary: winner.decision === 'advance' ? proposed : current, cost: { ...cost, decision: winner.decision as 'advance' | 'skip', proposed } };
  }
  return { boundary: cost.decision === 'advance' ? proposed : current, cost: { ...cost, proposed } };
}
