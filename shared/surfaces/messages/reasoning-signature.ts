import type { ReasoningPart } from '../../core/chat-model';

/**
 * Reasoning from a non-Anthropic model (an OpenAI reasoning item answering a
 * Messages request routed to it) is shown to the client as a `thinking` block
 * whose signature carries what replaying it needs (provider, item id,
 * encrypted content). When the client sends the block back on its next turn,
 * the signature is decoded into the same ReasoningPart, so the reasoning goes
 * back to the provider that made it and Anthropic never sees a foreign
 * signature (its adapter drops parts that are not its own).
 */
const PREFIX = 'parsimony.r1.';

export function foreignReasoningSignature(part: ReasoningPart): string {
  const payload = { p: part.provider ?? 'unknown', i: part.id, e: part.encrypted };
  return PREFIX + Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** The ReasoningPart a foreign signature stands for, or undefined for a genuine Anthropic signature. */
export function decodeForeignSignature(text: string, signature: string): ReasoningPart | undefined {
  if (!signature.startsWith(PREFIX)) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(signature.slice(PREFIX.length), 'base64url').toString('utf8')) as { p?: unknown; i?: unknown; e?: unknown };
    const part: ReasoningPart = { type: 'reasoning', text, provider: typeof payload.p === 'string' ? payload.p : 'unknown' };
    if (typeof payload.i === 'string') part.id = payload.i;
    if (typeof payload.e === 'string') part.encrypted = payload.e;
    return part;
  } catch {
    return undefined;
  }
}
