import type { ChatResponse, FinishReason, ReasoningPart, ToolCall, Usage } from '../../core/chat-model';
import { thinkingToReasoning } from './thinking';
import type { AnthropicMessage, AnthropicUsageLike } from './wire-types';

/**
 * Maps an Anthropic `Message` into the provider-neutral response. Text blocks
 * are concatenated as they are (Anthropic splits one answer into several text
 * blocks, e.g. around citations); `tool_use` blocks become tool calls with
 * their `input` re-encoded as a JSON string. Thinking and server-tool blocks
 * have no place in the neutral model and are left out. Anthropic sends no
 * creation time, so `created` is the time of mapping.
 */
export function anthropicMessageToResponse(
  message: Pick<AnthropicMessage, 'id' | 'model' | 'content' | 'stop_reason' | 'usage'> & Partial<Pick<AnthropicMessage, 'stop_sequence'>>,
  now = Date.now(),
): ChatResponse {
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  const reasoning: ReasoningPart[] = [];
  for (const block of message.content) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'tool_use') toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
    else {
      const part = thinkingToReasoning(block);
      if (part) reasoning.push(part);
    }
  }
  const response: ChatResponse = {
    id: message.id,
    model: message.model,
    created: Math.floor(now / 1000),
    content: texts.length ? texts.join('') : null,
    tool_calls: toolCalls,
    finish_reason: stopReasonToFinishReason(message.stop_reason),
    usage: anthropicUsageToUsage(message.usage),
  };
  if (reasoning.length) response.reasoning = reasoning;
  if (message.stop_reason === 'stop_sequence' && message.stop_sequence) response.stop_sequence = message.stop_sequence;
  if (message.usage?.service_tier) response.service_tier = message.usage.service_tier;
  return response;
}

/**
 * `end_turn`, `stop_sequence` and `pause_turn` end normally; running out of
 * output (`max_tokens`) or of context (`model_context_window_exceeded`) is
 * `length`; `refusal` is `content_filter`.
 */
export function stopReasonToFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/**
 * Anthropic's `input_tokens` excludes cache reads and cache writes; the
 * neutral `input_tokens` is all input, so both are added back. The 1-hour
 * share of the cache writes (`cache_creation.ephemeral_1h_input_tokens`) and
 * the thinking tokens (`output_tokens_details.thinking_tokens`) are kept
 * when reported.
 */
export function anthropicUsageToUsage(usage: AnthropicUsageLike | null | undefined): Usage {
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  const out: Usage = {
    input_tokens: (usage?.input_tokens ?? 0) + cacheRead + cacheWrite,
    output_tokens: usage?.output_tokens ?? 0,
    cached_input_tokens: cacheRead,
    cache_write_tokens: cacheWrite,
  };
  const write1h = usage?.cache_creation?.ephemeral_1h_input_tokens;
  if (write1h) out.cache_write_1h_tokens = write1h;
  const thinking = usage?.output_tokens_details?.thinking_tokens;
  if (thinking) out.reasoning_tokens = thinking;
  return out;
}
