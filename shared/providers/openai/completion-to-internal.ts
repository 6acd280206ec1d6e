import type { ChatResponse, FinishReason } from '../../core/chat-model';

/** Minimal structural view of an OpenAI `chat.completion` (what the SDK returns). */
export interface OpenAICompletionLike {
  id: string;
  created: number;
  model: string;
  choices: { message: { content?: string | null; tool_calls?: { id: string; type?: string; function?: { name: string; arguments: string } }[] | null }; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens?: number | null } | null } | null;
  service_tier?: string | null;
}

/** Maps an OpenAI completion (from the provider) into the provider-neutral response. */
export function openAICompletionToResponse(completion: OpenAICompletionLike): ChatResponse {
  const choice = completion.choices[0];
  const toolCalls = (choice?.message.tool_calls ?? [])
    .filter((c) => c.function)
    .map((c) => ({ id: c.id, name: c.function!.name, arguments: c.function!.arguments }));
  return {
    id: completion.id,
    model: completion.model,
    created: completion.created,
    content: choice?.message.content ?? null,
    tool_calls: toolCalls,
    finish_reason: normaliseFinishReason(choice?.finish_reason),
    usage: {
      input_tokens: completion.usage?.prompt_tokens ?? 0,
      output_tokens: completion.usage?.completion_tokens ?? 0,
      cached_input_tokens: completion.usage?.prompt_tokens_details?.cached_tokens ?? 0,
      cache_write_tokens: 0,
    },
    ...(completion.service_tier ? { service_tier: completion.service_tier } : {}),
  };
}

export function normaliseFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}
