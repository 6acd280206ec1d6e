import { REASONING_EFFORTS, type ReasoningEffort, type ReasoningOptions } from '../chat-model';
import type { ModelEntry } from './catalog';

/**
 * Thinking budgets (Anthropic `budget_tokens`) mapped onto OpenAI's effort
 * scale: the largest budget each effort is taken to stand for. Anthropic's
 * minimum budget is 1,024 tokens; OpenAI's efforts are not token counts, so
 * these bounds are a convention, documented here once.
 */
const BUDGET_UPPER_BOUNDS: readonly [number, ReasoningEffort][] = [
  [0, 'none'],
  [1_024, 'minimal'],
  [4_096, 'low'],
  [16_384, 'medium'],
  [32_768, 'high'],
  [65_536, 'xhigh'],
];

/**
 * The thinking budget an effort stands for: the middle of its range above
 * (so `effortForBudget(budgetForEffort(e)) === e`); "max" asks for twice the
 * top bound, which callers cap at what the output limit leaves.
 */
export function budgetForEffort(effort: Exclude<ReasoningEffort, 'none' | 'minimal'>): number {
  const index = BUDGET_UPPER_BOUNDS.findIndex(([, e]) => e === effort);
  if (index < 0) return 2 * BUDGET_UPPER_BOUNDS[BUDGET_UPPER_BOUNDS.length - 1][0];
  return (BUDGET_UPPER_BOUNDS[index - 1][0] + BUDGET_UPPER_BOUNDS[index][0]) / 2;
}

/** The effort a thinking budget stands for. */
export function effortForBudget(budgetTokens: number): ReasoningEffort {
  for (const [upper, effort] of BUDGET_UPPER_BOUNDS) if (budgetTokens <= upper) return effort;
  return 'max';
}

/**
 * The reasoning effort to send to `model` for these options, or undefined
 * when the model does not reason (it would reject the field) or nothing was
 * asked. An effort the model does not offer becomes the nearest one it does
 * (ties go to the higher effort: asking for more thinking is never silently
 * cut to less than the nearest step).
 */
export function effortForModel(model: Pick<ModelEntry, 'reasoning'>, options: ReasoningOptions | undefined): ReasoningEffort | undefined {
  if (!model.reasoning || !options) return undefined;
  const asked = options.effort ?? (options.budget_tokens !== undefined ? effortForBudget(options.budget_tokens) : undefined);
  if (asked === undefined) return undefined;
  const offered = model.reasoning.efforts;
  if (offered.includes(asked)) return asked;
  const rank = (e: ReasoningEffort) => REASONING_EFFORTS.indexOf(e);
  return [...offered].sort((a, b) => Math.abs(rank(a) - rank(asked)) - Math.abs(rank(b) - rank(asked)) || rank(b) - rank(a))[0];
}
