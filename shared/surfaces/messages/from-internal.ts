import type { ChatResponse, ReasoningPart, Usage } from '../../core/chat-model';
import { argumentsToInput } from '../../providers/anthropic/to-anthropic';
import { foreignReasoningSignature } from './reasoning-signature';

/**
 * Maps the provider-neutral answer out into an Anthropic `Message`, whichever
 * provider produced it: reasoning first (thinking / redacted_thinking
 * blocks), then the text, then one `tool_use` block per call.
 */

export type MessagesContentBlock =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'text'; text: string; citations: null }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export type MessagesStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal' | 'pause_turn';

export interface MessagesUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  /** Of output_tokens, those spent thinking (or reasoning, when an OpenAI model answered); present when reported. */
  output_tokens_details?: { thinking_tokens: number };
  service_tier: 'standard' | 'priority' | 'batch';
}

/** A Messages id for a job: stable, so the streamed message and the stored record agree. */
export function messageId(jobId: string): string {
  return `msg_${jobId.replace(/^job_/, '')}`;
}

export function chatResponseToMessage(response: ChatResponse, id: string, model: string) {
  return {
    id,
    type: 'message' as const,
    role: 'assistant' as const,
    model,
    content: contentBlocks(response),
    stop_reason: stopReasonOf(response),
    stop_sequence: response.stop_sequence ?? null,
    usage: usageToMessages(response.usage, response.service_tier),
  };
}
export type MessageObject = ReturnType<typeof chatResponseToMessage>;

export function contentBlocks(response: Pick<ChatResponse, 'reasoning' | 'content' | 'tool_calls'>): MessagesContentBlock[] {
  const blocks: MessagesContentBlock[] = (response.reasoning ?? []).map(reasoningBlock);
  if (response.content) blocks.push({ type: 'text', text: response.content, citations: null });
  for (const call of response.tool_calls) blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: argumentsToInput(call.arguments) });
  return blocks;
}

/** Anthropic's own reasoning as it came; another provider's as a thinking block whose signature lets it be replayed. */
export function reasoningBlock(part: ReasoningPart): Extract<MessagesContentBlock, { type: 'thinking' | 'redacted_thinking' }> {
  if (part.provider === 'anthropic' || part.provider === undefined) {
    if (part.signature !== undefined) return { type: 'thinking', thinking: part.text, signature: part.signature };
    if (part.encrypted !== undefined && !part.text) return { type: 'redacted_thinking', data: part.encrypted };
  }
  return { type: 'thinking', thinking: part.text, signature: foreignReasoningSignature(part) };
}

/**
 * Anthropic says `tool_use` whenever the turn ends with tool calls; OpenAI
 * says `stop` when the call was forced by tool_choice, so the calls decide.
 */
export function stopReasonOf(response: Pick<ChatResponse, 'finish_reason' | 'stop_sequence' | 'tool_calls'>): MessagesStopReason {
  switch (response.finish_reason) {
    case 'length':
      return 'max_tokens';
    case 'content_filter':
      return 'refusal';
    case 'tool_calls':
      return 'tool_use';
    default:
      if (response.tool_calls.length) return 'tool_use';
      return response.stop_sequence !== undefined ? 'stop_sequence' : 'end_turn';
  }
}

/** Anthropic counts `input_tokens` without cache reads and writes; the neutral count includes both. */
export function usageToMessages(usage: Usage, serviceTier?: string): MessagesUsage {
  const write1h = usage.cache_write_1h_tokens ?? 0;
  const out: MessagesUsage = {
    input_tokens: Math.max(0, usage.input_tokens - usage.cached_input_tokens - usage.cache_write_tokens),
    cache_creation_input_tokens: usage.cache_write_tokens,
    cache_read_input_tokens: usage.cached_input_tokens,
    cache_creation: { ephemeral_5m_input_tokens: Math.max(0, usage.cache_write_tokens - write1h), ephemeral_1h_input_tokens: write1h },
    output_tokens: usage.output_tokens,
    service_tier: serviceTierToMessages(serviceTier),
  };
  if (usage.reasoning_tokens) out.output_tokens_details = { thinking_tokens: usage.reasoning_tokens };
  return out;
}

/** OpenAI's tiers shown on Anthropic's scale: priority stays, batch stays, everything else is standard. */
function serviceTierToMessages(tier: string | undefined): MessagesUsage['service_tier'] {
  return tier === 'priority' || tier === 'batch' ? tier : 'standard';
}
