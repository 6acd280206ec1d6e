import { estimateTokens } from '../context/token-estimate';
import type { ChatMessage, ChatRequest, TextPart } from '../../core/chat-model';
import { CONTINUE, type PipelineContext, type Stage, type StageOutcome } from '../../core/stage';
import { systemPromptSha256 } from './prompt-hash';
import { safeCompress } from './safe-compress';
import type { VariantRegistry } from './variant-registry';

export interface PromptCompressionStageOptions {
  /** Approved variants; without it no substitution happens. */
  registry?: Pick<VariantRegistry, 'find'>;
  /** Apply the whitespace-only rules to user text parts too; default true (tool outputs and assistant turns are never touched). */
  userMessages?: boolean;
  /** Drop exact duplicate lines in the system prompt; default true. */
  dedupeSystem?: boolean;
  /** See SafeCompressOptions.minDedupeWords; default 6. */
  minDedupeWords?: number;
}

export interface CompressionAnnotation {
  tokens_before: number;
  tokens_after: number;
  tokens_removed: number;
  /** Set when an approved variant replaced the system prompt. */
  variant?: { original_sha256: string; compressed_sha256: string };
  trailing_space_lines: number;
  blank_lines_removed: number;
  duplicate_lines_removed: number;
}

/**
 * Online prompt compression (on by default): first an approved variant
 * replaces the system prompt on an exact SHA-256 match for the job's tenant,
 * then the meaning-preserving rules of safeCompress run on the system prompt
 * (with exact-duplicate-line removal) and on user text (whitespace only).
 * Works on a copy; records ctx.ledger.compressionTokensRemoved and
 * ctx.annotations.compression.
 */
export class PromptCompressionStage implements Stage {
  readonly name = 'compression';

  constructor(private readonly options: PromptCompressionStageOptions = {}) {}

  async run(ctx: PipelineContext): Promise<StageOutcome> {
    const request = ctx.request;
    const note: CompressionAnnotation = { tokens_before: 0, tokens_after: 0, tokens_removed: 0, trailing_space_lines: 0, blank_lines_removed: 0, duplicate_lines_removed: 0 };
    let system = request.system;
    const before = partsTokens(system) + userTokens(request.messages);

    if (this.options.registry && system.length) {
      const sha = systemPromptSha256(system);
      const variant = await this.options.registry.find(ctx.job.tenant, sha);
      if (variant) {
        const cacheControl = system[system.length - 1].cache_control;
        system = [cacheControl ? { type: 'text', text: variant.compressed, cache_control: cacheControl } : { type: 'text', text: variant.compressed }];
        note.variant = { original_sha256: sha, compressed_sha256: variant.compressed_sha256 };
      }
    }

    const seen = new Set<string>();
    const minDedupeWords = this.options.minDedupeWords;
    const newSystem = system.map((part): TextPart => {
      const r = safeCompress(part.text, { dedupe: this.options.dedupeSystem ?? true, minDedupeWords, seen });
      note.trailing_space_lines += r.trailingSpaceLines;
      note.blank_lines_removed += r.blankLinesRemoved;
      note.duplicate_lines_removed += r.duplicateLines.length;
      return r.text === part.text ? part : { ...part, text: r.text };
    });

    let messages = request.messages;
    let messagesChanged = false;
    if (this.options.userMessages ?? true) {
      const mapped = request.messages.map((m): ChatMessage => {
        if (m.role !== 'user') return m;
        let changed = false;
        const content = m.content.map((p) => {
          if (p.type !== 'text') return p;
          const r = safeCompress(p.text);
          if (r.text === p.text) return p;
          changed = true;
          note.trailing_space_lines += r.trailingSpaceLines;
          note.blank_lines_removed += r.blankLinesRemoved;
          return { ...p, text: r.text };
        });
        if (!changed) return m;
        messagesChanged = true;
        return { ...m, content };
      });
      if (messagesChanged) messages = mapped;
    }

    const after = partsTokens(newSystem) + userTokens(messages);
    note.tokens_before = before;
    note.tokens_after = after;
    note.tokens_removed = Math.max(0, before - after);
    const changed = note.variant !== undefined || newSystem.some((p, i) => p !== system[i]) || messagesChanged;
    if (changed) {
      const next: ChatRequest = { ...request, system: newSystem, messages };
      ctx.request = next;
      ctx.ledger.compressionTokensRemoved += note.tokens_removed;
    }
    ctx.annotations.compression = note;
    return CONTINUE;
  }
}

function partsTokens(parts: readonly TextPart[]): number {
  let t = 0;
  for (const p of parts) t += estimateTokens(p.text);
  return t;
}

function userTokens(messages: readonly ChatMessage[]): number {
  let t = 0;
  for (const m of messages) if (m.role === 'user') for (const p of m.content) if (p.type === 'text') t += estimateTokens(p.text);
  return t;
}
