import { createHash } from 'node:crypto';
import { SimError } from '../errors';
import { Rng, seedOf } from '../prng';
import { countTokens } from '../tokens';
import { prose } from '../words';
import type { MessageBody } from './validate';

/**
 * Extended thinking as Anthropic does it: with `thinking` enabled (or
 * adaptive) the message opens with a `thinking` block whose `signature`
 * vouches for its text; a thinking block sent back with a signature that
 * does not match is rejected, as the real API rejects edited or foreign
 * thinking. The text is deterministic prose seeded by the prompt, sized to a
 * slice of the budget.
 */

const SIGNING_KEY = 'parsimony-simulator-thinking';

export function signThinking(text: string): string {
  return createHash('sha256').update(SIGNING_KEY).update(text).digest('base64');
}

export interface ThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

/** The thinking block a request gets, or undefined when thinking is off. */
export function thinkingFor(body: MessageBody, seedText: string): { block: ThinkingBlock; tokens: number } | undefined {
  const type = body.thinking?.type;
  if (type !== 'enabled' && type !== 'adaptive') return undefined;
  const budget = type === 'enabled' ? Number(body.thinking.budget_tokens) : 2048;
  const target = Math.max(8, Math.min(120, Math.floor(budget / 20)));
  const text = `Let me think this through. ${prose(new Rng(seedOf(`thinking\u0000${seedText}`)), target)}`;
  return { block: { type: 'thinking', thinking: text, signature: signThinking(text) }, tokens: countTokens(text) };
}

/** Rejects thinking blocks whose signature the simulator did not issue for that text. */
export function checkThinkingSignatures(messages: MessageBody[]): void {
  messages.forEach((m, i) => {
    if (m?.role !== 'assistant' || !Array.isArray(m.content)) return;
    (m.content as MessageBody[]).forEach((block, j) => {
      if (block?.type !== 'thinking') return;
      if (typeof block.signature !== 'string' || block.signature !== signThinking(String(block.thinking ?? '')))
        throw new SimError(400, `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`);
    });
  });
}
