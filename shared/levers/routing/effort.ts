import type { ModelEntry } from '../../core/catalog/catalog';
import { REASONING_EFFORTS, type ChatRequest, type ReasoningEffort } from '../../core/chat-model';

/**
 * Reasoning effort as part of the route. For a reasoning model (catalog
 * `reasoning {efforts, default_effort}`) the router picks the effort with the
 * model: effort is a cheaper knob than a model change, so within a tier the
 * score's place in the tier's band picks a rung of the model's efforts, from
 * the lowest up to its default. Never above the default: the baseline is the
 * frontier model at its default effort, and "answers as the frontier would"
 * needs no more. A caller's explicit effort or thinking budget is kept.
 */
export interface EffortChoice {
  effort?: ReasoningEffort;
  why: string;
}

const rank = (e: ReasoningEffort) => REASONING_EFFORTS.indexOf(e);

/**
 * `position`: where the score sits in the chosen tier's band, 0 (bottom) to 1 (top).
 * `fullEffort`: the request needs the model's default effort (synthesis, planning, reasoning, code,
 * out-of-distribution or low-confidence prompts).
 */
export function chooseEffort(model: ModelEntry, request: ChatRequest, position: number, fullEffort: boolean): EffortChoice | undefined {
  const r = model.reasoning;
  if (!r) return undefined;
  if (request.reasoning?.effort) return { why: `caller's reasoning_effort ${request.reasoning.effort} kept` };
  if (request.reasoning?.budget_tokens !== undefined) return { why: `caller's thinking budget ${request.reasoning.budget_tokens} kept` };
  const ladder = [...new Set(r.efforts)].filter((e) => rank(e) <= rank(r.default_effort)).sort((a, b) => rank(a) - rank(b));
  if (!ladder.length) return { effort: r.default_effort, why: `reasoning_effort ${r.default_effort} (model default)` };
  if (fullEffort) return { effort: r.default_effort, why: `reasoning_effort ${r.default_effort} (model default: the task needs full reasoning)` };
  const p = Math.min(1, Math.max(0, Number.isFinite(position) ? position : 1));
  const effort = ladder[Math.min(ladder.length - 1, Math.floor(p * ladder.length))];
  return { effort, why: `reasoning_effort ${effort} (score at ${(100 * p).toFixed(0)}% of the ${model.tier} band; efforts ${ladder.join('<')}, default ${r.default_effort})` };
}

/** Where `score` sits between a tier's lower and upper threshold (infinite bounds count as the other end). */
export function bandPosition(score: number, lower: number, upper: number): number {
  const lo = Number.isFinite(lower) ? lower : 0;
  const hi = Number.isFinite(upper) ? upper : 1;
  return hi > lo ? (score - lo) / (hi - lo) : 1;
}
