import { z } from 'zod';
import type { ChatMessage, ChatRequest, ContextManagementConfig } from '../../core/chat-model';
import { estimateMessageTokens, estimateRequestTokens } from './token-estimate';

/**
 * Anthropic's `context_management` (context editing) on every provider.
 *
 * The policy shape is Anthropic's `BetaContextManagementConfig` whatever the
 * surface (`/v1/messages` maps its field into `ChatRequest.context_management`;
 * chat completions and `/v1/responses` send it as JSON in
 * `metadata.parsimony_context_management`; a tenant can set it in
 * `PARSIMONY_CONTEXT_POLICY`). For Anthropic models it is forwarded natively
 * (nativeContextManagement: the field plus the beta header); for every other
 * model the context stage emulates it here with Anthropic's semantics and
 * defaults:
 *
 * - clear_tool_uses_20250919: once `trigger` is reached (default 100,000 input
 *   tokens; or a number of tool uses), tool results older than the last `keep`
 *   tool uses (default 3) are replaced by a placeholder, oldest first, unless
 *   the tool is in `exclude_tools` or the caller marked the result as needed;
 *   `clear_tool_inputs` (true, or tool names) also clears the call's
 *   arguments; nothing is cleared unless at least `clear_at_least` tokens go.
 * - clear_thinking_20251015: reasoning of assistant turns is dropped except the
 *   last `keep` turns with reasoning (default 1; `all` keeps everything).
 * - compact_20260112: once input reaches `trigger` (default 150,000 tokens)
 *   the context lever's own compaction runs (summary + facts ledger).
 */
const InputTokens = z.object({ type: z.literal('input_tokens'), value: z.number().int().min(0) }).strict();
const ToolUses = z.object({ type: z.literal('tool_uses'), value: z.number().int().min(0) }).strict();
const ClearToolUses = z
  .object({
    type: z.literal('clear_tool_uses_20250919'),
    trigger: z.union([InputTokens, ToolUses]).optional(),
    keep: ToolUses.optional(),
    clear_at_least: InputTokens.nullable().optional(),
    exclude_tools: z.array(z.string()).nullable().optional(),
    clear_tool_inputs: z
      .union([z.boolean(), z.array(z.string())])
      .nullable()
      .optional(),
  })
  .strict();
const ClearThinking = z
  .object({
    type: z.literal('clear_thinking_20251015'),
    keep: z.union([z.object({ type: z.literal('thinking_turns'), value: z.number().int().min(0) }).strict(), z.object({ type: z.literal('all') }).strict(), z.literal('all')]).optional(),
  })
  .strict();
const Compact = z
  .object({
    type: z.literal('compact_20260112'),
    trigger: InputTokens.nullable().optional(),
    instructions: z.string().nullable().optional(),
    pause_after_compaction: z.boolean().optional(),
  })
  .strict();
export const ContextManagementSchema = z.object({ edits: z.array(z.discriminatedUnion('type', [ClearToolUses, ClearThinking, Compact])).optional() }).strict();

export const DEFAULT_CLEAR_TRIGGER_TOKENS = 100_000;
export const DEFAULT_CLEAR_KEEP_TOOL_USES = 3;
export const DEFAULT_COMPACT_TRIGGER_TOKENS = 150_000;
export const CLEARED_TOOL_RESULT = '[tool result cleared by context management]';

/** The Anthropic betas a policy needs when forwarded natively. */
export function contextManagementBetas(config: ContextManagementConfig): string[] {
  const betas = new Set<string>();
  for (const e of config.edits ?? []) betas.add(e.type === 'compact_20260112' ? 'compact-2026-01-12' : 'context-management-2025-06-27');
  return [...betas];
}

/**
 * The request to hand the Anthropic adapter: `context_management` kept as is
 * and the betas it needs added to `provider_headers.anthropic['anthropic-beta']`
 * (merged with any the caller sent), which the adapter forwards.
 */
export function nativeContextManagement(request: ChatRequest, config: ContextManagementConfig): ChatRequest {
  const headers = { ...(request.provider_headers?.anthropic ?? {}) };
  const current = (headers['anthropic-beta'] ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const betas = [...new Set([...current, ...contextManagementBetas(config)])];
  if (betas.length) headers['anthropic-beta'] = betas.join(',');
  return { ...request, context_management: config, provider_headers: { ...(request.provider_headers ?? {}), anthropic: headers } };
}

export type AppliedEdit =
  { type: 'clear_tool_uses_20250919'; cleared_tool_uses: number; cleared_input_tokens: number } | { type: 'clear_thinking_20251015'; cleared_thinking_turns: number; cleared_input_tokens: number };

export interface EmulatedEdits {
  request: ChatRequest;
  applied: AppliedEdit[];
  /** Set when a compact edit's trigger was reached: the lever's compaction should run. */
  compact?: { instructions?: string };
}

/** Applies the policy's edits in order to a copy of the request (the field itself is removed: no other provider knows it). */
export function emulateContextManagement(request: ChatRequest, config: ContextManagementConfig, keepToolCallIds: ReadonlySet<string> = new Set()): EmulatedEdits {
  let messages = request.messages;
  const applied: AppliedEdit[] = [];
  let compact: EmulatedEdits['compact'];
  const tokens = () => estimateRequestTokens({ ...request, messages });
  for (const edit of config.edits ?? []) {
    if (edit.type === 'clear_tool_uses_20250919') {
      const out = clearToolUses(messages, edit, keepToolCallIds, tokens);
      if (out) {
        messages = out.messages;
        applied.push({ type: edit.type, cleared_tool_uses: out.cleared, cleared_input_tokens: out.tokens });
      }
    } else if (edit.type === 'clear_thinking_20251015') {
      const out = clearThinking(messages, edit.keep);
      if (out.cleared) {
        messages = out.messages;
        applied.push({ type: edit.type, cleared_thinking_turns: out.cleared, cleared_input_tokens: out.tokens });
      }
    } else if (edit.type === 'compact_20260112') {
      if (tokens() >= (edit.trigger?.value ?? DEFAULT_COMPACT_TRIGGER_TOKENS)) compact = edit.instructions ? { instructions: edit.instructions } : {};
    }
  }
  const { context_management: _dropped, ...rest } = request;
  return { request: { ...rest, messages }, applied, ...(compact ? { compact } : {}) };
}

type ClearToolUsesEdit = z.infer<typeof ClearToolUses>;

function clearToolUses(messages: ChatMessage[], edit: ClearToolUsesEdit, keepIds: ReadonlySet<string>, tokens: () => number): { messages: ChatMessage[]; cleared: number; tokens: number } | undefined {
  const uses: { message: number; id: string; name: string }[] = [];
  messages.forEach((m, i) => {
    if (m.role === 'assistant') for (const c of m.tool_calls ?? []) uses.push({ message: i, id: c.id, name: c.name });
  });
  const trigger = edit.trigger ?? { type: 'input_tokens' as const, value: DEFAULT_CLEAR_TRIGGER_TOKENS };
  if (trigger.type === 'tool_uses' ? uses.length <= trigger.value : tokens() < trigger.value) return undefined;
  const keep = edit.keep?.value ?? DEFAULT_CLEAR_KEEP_TOOL_USES;
  const excluded = new Set(edit.exclude_tools ?? []);
  const candidates = uses.slice(0, Math.max(0, uses.length - keep)).filter((u) => !excluded.has(u.name) && !keepIds.has(u.id));
  const inputs = edit.clear_tool_inputs;
  const clearInputs = (name: string) => inputs === true || (Array.isArray(inputs) && inputs.includes(name));
  const ids = new Map(candidates.map((u) => [u.id, u.name]));
  let saved = 0;
  let cleared = 0;
  const out = messages.map((m): ChatMessage => {
    if (m.role === 'tool' && ids.has(m.tool_call_id) && m.content !== CLEARED_TOOL_RESULT) {
      const next = { ...m, content: CLEARED_TOOL_RESULT };
      saved += estimateMessageTokens(m) - estimateMessageTokens(next);
      cleared++;
      return next;
    }
    if (m.role === 'assistant' && m.tool_calls?.some((c) => ids.has(c.id) && clearInputs(c.name) && c.arguments !== '{}')) {
      const next = { ...m, tool_calls: m.tool_calls.map((c) => (ids.has(c.id) && clearInputs(c.name) ? { ...c, arguments: '{}' } : c)) };
      saved += estimateMessageTokens(m) - estimateMessageTokens(next);
      return next;
    }
    return m;
  });
  if (cleared === 0 || saved < (edit.clear_at_least?.value ?? 0)) return undefined;
  return { messages: out, cleared, tokens: saved };
}

function clearThinking(messages: ChatMessage[], keep: z.infer<typeof ClearThinking>['keep']): { messages: ChatMessage[]; cleared: number; tokens: number } {
  if (keep === 'all' || (keep && keep.type === 'all')) return { messages, cleared: 0, tokens: 0 };
  const n = keep?.value ?? 1;
  const withReasoning = messages.map((m, i) => (m.role === 'assistant' && m.reasoning?.length ? i : -1)).filter((i) => i >= 0);
  const drop = new Set(withReasoning.slice(0, Math.max(0, withReasoning.length - n)));
  let tokens = 0;
  const out = messages.map((m, i) => {
    if (!drop.has(i) || m.role !== 'assistant') return m;
    for (const r of m.reasoning ?? []) tokens += Math.ceil((r.text.length + (r.encrypted?.length ?? 0)) / 4);
    const { reasoning: _r, ...rest } = m;
    return rest as ChatMessage;
  });
  return { messages: out, cleared: drop.size, tokens };
}
