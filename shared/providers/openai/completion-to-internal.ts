import type { ChatResponse, FinishReason } from '../../core/chat-model';

/** Minimal structural view of an OpenAI `chat.completion` (what the SDK returns). */
export interface OpenAICompletionLike {
  id: string;
  created: number;
  model: string;
  choices: {
    message: { content?: string | null; tool_calls?: { id: string; type?: string; function?: { name: string; arguments: string } }[] | null };
    finish_reason: string | null;
    logprobs?: unknown;
  }[];
  usage?: {
    prompt_tokens: number;
    completion_tokens: number;
    prompt_tokens_details?: { cached_tokens?: number | null } | null;
    completion_tokens_details?: { reasoning_tokens?: number | null } | null;
  } | null;
  service_tier?: string | null;
}

/** Maps an OpenAI completion (from the provider) into the provider-neutral response. */
export function openAICompletionToResponse(completion: OpenAICompletionLike): ChatResponse {
  const [first, ...others] = completion.choices;
  const reasoningTokens = completion.usage?.completion_tokens_details?.reasoning_tokens;
  const response: ChatResponse = {
    id: completion.id,
    model: completion.model,
    created: completion.created,
    ...choiceToInternal(first),
    usage: {
      input_tokens: completion.usage?.prompt_tokens ?? 0,
      output_tokens: completion.usage?.completion_tokens ?? 0,
      cached_input_tokens: completion.usage?.prompt_tokens_details?.cached_tokens ?? 0,
      cache_write_tokens: 0,
      ...(reasoningTokens ? { reasoning_tokens: reasoningTokens } : {}),
    },
  };
  if (others.length) response.more_choices = others.map(choiceToInternal);
  if (completion.service_tier) response.service_tier = completion.service_tier;
  return response;
}

type ChoiceLike = OpenAICompletionLike['choices'][number];

function choiceToInternal(choice: ChoiceLike | undefined): Pick<ChatResponse, 'content' | 'tool_calls' | 'finish_reason' | 'logprobs'> {
  const toolCalls = (choice?.message.tool_calls ?? []).filter((c) => c.function).map((c) => ({ id: c.id, name: c.function!.name, arguments: c.function!.arguments }));
  const out: Pick<ChatResponse, 'content' | 'tool_calls' | 'finish_reason' | 'logprobs'> = {
    content: choice?.message.content ?? null,
    tool_calls: toolCalls,
    finish_reason: normaliseFinishReason(choice?.finish_reason),
  };
  if (choice?.logprobs != null) out.logprobs = choice.logprobs;
  return out;
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
