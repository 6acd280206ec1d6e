import { invalidParam } from '../errors';
import { modelLimits } from '../model-limits';
import { seedOf } from '../prng';
import { tokenPieces } from '../tokens';
import type { ChatBody } from './chat-validate';

/**
 * The reasoning-model and logprobs parts of a chat completion: OpenAI's
 * validation of `reasoning_effort` / `verbosity` (rejected by models that do
 * not reason, an effort a model does not offer rejected with the list it
 * does), the reasoning tokens such a model spends (billed inside
 * completion_tokens, more with a higher effort), and token logprobs.
 * Models outside the catalog accept any effort and do not reason.
 */

/** Reasoning tokens per answer token, by effort: deterministic, monotone in the effort. */
const REASONING_FACTOR: Record<string, number> = { none: 0, minimal: 0.25, low: 1, medium: 2, high: 4, xhigh: 6, max: 8 };

export function validateReasoningParams(b: ChatBody): void {
  const limits = modelLimits(b.model);
  if (!limits) return;
  for (const param of ['reasoning_effort', 'verbosity'] as const)
    if (b[param] != null && !limits.reasoning) throw invalidParam(`Unsupported parameter: '${param}' is not supported with this model.`, param, 'unsupported_parameter');
  // Reasoning models return no token logprobs.
  if (b.logprobs === true && limits.reasoning) throw invalidParam("Unsupported parameter: 'logprobs' is not supported with this model.", 'logprobs', 'unsupported_parameter');
  const effort = b.reasoning_effort;
  if (effort != null && limits.reasoning && !limits.reasoning.efforts.includes(effort))
    throw invalidParam(
      `Unsupported value: 'reasoning_effort' does not support '${String(effort)}' with this model. Supported values are: ${limits.reasoning.efforts.map((e) => `'${e}'`).join(', ')}.`,
      'reasoning_effort',
      'unsupported_value',
    );
}

/** Reasoning tokens one choice spends before an answer of `answerTokens` (0 for a model that does not reason). */
export function reasoningTokens(b: ChatBody, answerTokens: number, variant: number): number {
  const reasoning = modelLimits(b.model)?.reasoning;
  if (!reasoning) return 0;
  const factor = REASONING_FACTOR[b.reasoning_effort ?? reasoning.defaultEffort] ?? 1;
  if (factor === 0) return 0;
  // A little spread per conversation and choice, so usage is not a bare multiple of the answer.
  const jitter = (seedOf(`${variant}:${JSON.stringify(b.messages)}`) % 16) + 8;
  return Math.round(factor * (answerTokens + jitter));
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: { token: string; logprob: number; bytes: number[] }[];
}

/** Chat `choices[].logprobs` for a text: one entry per token piece, `top` alternatives each (the token itself first). */
export function logprobsFor(text: string, top: number): { content: TokenLogprob[]; refusal: null } {
  return { content: tokenLogprobs(text, top), refusal: null };
}

export function tokenLogprobs(text: string, top: number): TokenLogprob[] {
  return tokenPieces(text).map(({ piece }) => {
    const logprob = -((seedOf(piece) % 2000) / 1000);
    const alternatives = Array.from({ length: Math.max(0, top - 1) }, (_, i) => {
      const token = `${piece.trim() || piece}${'~'.repeat(i + 1)}`;
      return { token, logprob: logprob - 1 - i, bytes: bytesOf(token) };
    });
    return { token: piece, logprob, bytes: bytesOf(piece), top_logprobs: top > 0 ? [{ token: piece, logprob, bytes: bytesOf(piece) }, ...alternatives] : [] };
  });
}

function bytesOf(token: string): number[] {
  return [...Buffer.from(token, 'utf8')];
}
