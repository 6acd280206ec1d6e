import type { ModelEntry } from '../../core/catalog/catalog';
import { budgetForEffort } from '../../core/catalog/reasoning-effort';
import type { ChatRequest, ReasoningPart } from '../../core/chat-model';
import type { ContentBlockParam } from './wire-types';

/**
 * Reasoning in and out of Anthropic's extended thinking.
 *
 * Request: an explicit `reasoning.budget_tokens` becomes
 * `thinking: {type: "enabled", budget_tokens}` on any Claude model; an effort
 * becomes a budget only for models whose catalog entry says they think with a
 * budget (`reasoning.budget_tokens`), and `output_config.effort` for models
 * that take an effort instead. "none" / "minimal" turn thinking off. The
 * budget must stay below `max_tokens` (thinking counts against it) and at or
 * above Anthropic's minimum of 1,024; a cap too small to think leaves
 * thinking off.
 */

export const MIN_THINKING_BUDGET = 1024;

type ReasoningModel = Pick<ModelEntry, 'reasoning'>;
export type ThinkingParams = { thinking?: Record<string, unknown>; output_config?: Record<string, unknown> };

export function reasoningToThinking(reasoning: ChatRequest['reasoning'], maxTokens: number, model: ReasoningModel): ThinkingParams {
  if (!reasoning) return {};
  if (reasoning.budget_tokens !== undefined) return { thinking: { type: 'enabled', budget_tokens: reasoning.budget_tokens } };
  const effort = reasoning.effort;
  if (!effort || !model.reasoning) return {};
  if (model.reasoning.budget_tokens) {
    if (effort === 'none' || effort === 'minimal') return { thinking: { type: 'disabled' } };
    // The same budget ↔ effort convention the OpenAI side uses (core/catalog/reasoning-effort.ts), so a round trip keeps the effort.
    const budget = Math.min(budgetForEffort(effort), maxTokens - 1);
    return budget >= MIN_THINKING_BUDGET ? { thinking: { type: 'enabled', budget_tokens: budget } } : {};
  }
  if (effort === 'none' || effort === 'minimal') return {};
  const efforts = model.reasoning.efforts as readonly string[] | undefined;
  return !efforts || efforts.includes(effort) ? { output_config: { effort } } : {};
}

/** An assistant turn's reasoning as thinking blocks: Anthropic's own only (a foreign signature would be rejected). */
export function reasoningBlocks(parts: ReasoningPart[] | undefined): ContentBlockParam[] {
  const blocks: ContentBlockParam[] = [];
  for (const part of parts ?? []) {
    if (part.provider !== 'anthropic') continue;
    if (part.signature !== undefined) blocks.push({ type: 'thinking', thinking: part.text, signature: part.signature });
    else if (part.encrypted !== undefined) blocks.push({ type: 'redacted_thinking', data: part.encrypted });
  }
  return blocks;
}

/** A response's thinking / redacted_thinking block as a reasoning part. */
export function thinkingToReasoning(block: { type: string; thinking?: string; signature?: string; data?: string }): ReasoningPart | undefined {
  if (block.type === 'thinking') return { type: 'reasoning', text: block.thinking ?? '', signature: block.signature ?? '', provider: 'anthropic' };
  if (block.type === 'redacted_thinking') return { type: 'reasoning', text: '', encrypted: block.data ?? '', provider: 'anthropic' };
  return undefined;
}
