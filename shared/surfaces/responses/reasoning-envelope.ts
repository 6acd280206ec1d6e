import type { ReasoningPart } from '../../core/chat-model';

/**
 * A reasoning item's `encrypted_content` is opaque to clients, who send it
 * back unchanged. For OpenAI's own reasoning it is OpenAI's encrypted blob;
 * for another provider's (Anthropic thinking answered on this surface) it is
 * this envelope holding what replaying the block needs (its signature or
 * redacted data), so a Responses agent loop served by Claude keeps its
 * thinking across turns.
 */
const PREFIX = 'parsimony.reasoning.v1.';

export function encodeReasoning(part: ReasoningPart): string | undefined {
  if (!part.provider || part.provider === 'openai') return part.encrypted;
  if (part.signature === undefined && part.encrypted === undefined) return undefined;
  const payload = { provider: part.provider, signature: part.signature, encrypted: part.encrypted };
  return PREFIX + Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** The reasoning part a client's reasoning item stands for. */
export function decodeReasoning(item: { id?: string | null; text: string; encrypted_content?: string | null }): ReasoningPart {
  const part: ReasoningPart = { type: 'reasoning', text: item.text, provider: 'openai' };
  if (item.id) part.id = item.id;
  const blob = item.encrypted_content ?? undefined;
  if (blob?.startsWith(PREFIX)) {
    try {
      const payload = JSON.parse(Buffer.from(blob.slice(PREFIX.length), 'base64url').toString('utf8')) as { provider?: unknown; signature?: unknown; encrypted?: unknown };
      if (typeof payload.provider === 'string') part.provider = payload.provider;
      if (typeof payload.signature === 'string') part.signature = payload.signature;
      if (typeof payload.encrypted === 'string') part.encrypted = payload.encrypted;
      return part;
    } catch {
      // Not ours after all: keep it as OpenAI's opaque content.
    }
  }
  if (blob) part.encrypted = blob;
  return part;
}
