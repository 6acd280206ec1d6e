import { createHash } from 'node:crypto';
import type { TextPart } from '../../core/chat-model';

/** The system prompt as one text, joined the way the OpenAI mapping sends it. */
export function systemText(system: readonly TextPart[]): string {
  return system.map((p) => p.text).join('\n\n');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Hash that identifies a system prompt for approved-variant lookup (exact bytes). */
export function systemPromptSha256(system: readonly TextPart[]): string {
  return sha256Hex(systemText(system));
}
