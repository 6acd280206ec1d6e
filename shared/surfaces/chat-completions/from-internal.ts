import type { ChatRequest, ChatResponse, ContentPart, StreamEvent, ToolChoice, Usage } from '../../core/chat-model';
import type { ModelEntry } from '../../core/catalog/catalog';
import { dropUndefined } from './to-internal';
import { openAIRequestOptions } from './openai-request-options';

/**
 * Maps out of the provider-neutral model into OpenAI wire objects: the request
 * body the OpenAI adapter sends, and the completion / chunk objects that
 * Parsimony's own OpenAI-compatible endpoint returns.
 */

export interface OpenAIChatBody {
  model: string;
  messages: Record<string, unknown>[];
  [key: string]: unknown;
}

/** `model`: the catalog entry, which decides the reasoning fields (see openAIRequestOptions). */
export function chatRequestToOpenAIBody(request: ChatRequest, providerModel: string, model?: ModelEntry): OpenAIChatBody {
  const messages: Record<string, unknown>[] = [];
  if (request.system.length) messages.push({ role: 'system', content: request.system.map((p) => p.text).join('\n\n') });
  for (const m of request.messages) {
    if (m.role === 'user') messages.push(dropUndefined({ role: 'user', content: userContent(m.content), name: m.name }));
    else if (m.role === 'assistant')
      messages.push(
        dropUndefined({
          role: 'assistant',
          content: m.content.length ? m.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n') : null,
          tool_calls: m.tool_calls?.length ? m.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) : undefined,
          name: m.name,
        }),
      );
    else messages.push({ role: 'tool', tool_call_id: m.tool_call_id, content: m.content });
  }
  const s = request.sampling;
  return dropUndefined({
    model: providerModel,
    messages,
    tools: request.tools?.map((t) => ({ type: 'function', function: dropUndefined({ name: t.name, description: t.description, parameters: t.parameters }) })),
    tool_choice: request.tool_choice === undefined ? undefined : toolChoiceToOpenAI(request.tool_choice),
    response_format: request.response_format,
    temperature: s.temperature,
    top_p: s.top_p,
    max_completion_tokens: s.max_tokens,
    stop: s.stop,
    seed: s.seed,
    presence_penalty: s.presence_penalty,
    frequency_penalty: s.frequency_penalty,
    prompt_cache_key: request.prompt_cache_key,
    service_tier: request.service_tier,
    user: request.user,
    ...openAIRequestOptions(request, model),
  });
}

function userContent(parts: ContentPart[]): string | Record<string, unknown>[] {
  if (parts.length === 1 && parts[0].type === 'text') return parts[0].text;
  return parts.map((p) => (p.type === 'text' ? { type: 'text', text: p.text } : { type: 'image_url', image_url: { url: p.url } }));
}

function toolChoiceToOpenAI(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

export function usageToOpenAI(usage: Usage) {
  return {
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.input_tokens + usage.output_tokens,
    prompt_tokens_details: { cached_tokens: usage.cached_input_tokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoning_tokens ?? 0 },
  };
}

type Choice = Omit<ChatResponse, 'more_choices' | 'usage' | 'id' | 'model' | 'created'>;

function choiceToOpenAI(choice: Choice, index: number) {
  return {
    index,
    message: dropUndefined({
      role: 'assistant' as const,
      content: choice.content,
      refusal: null,
      tool_calls: choice.tool_calls.length ? choice.tool_calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) : undefined,
    }),
    logprobs: (choice.logprobs ?? null) as Record<string, unknown> | null,
    finish_reason: choice.finish_reason,
  };
}

/** The OpenAI `chat.completion` object for a finished response. */
export function chatResponseToCompletion(response: ChatResponse, id: string, model: string) {
  return {
    id,
    object: 'chat.completion' as const,
    created: response.created,
    model,
    // Every choice: the first is the response itself, the others its more_choices (n > 1).
    choices: [response, ...(response.more_choices ?? [])].map(choiceToOpenAI),
    usage: usageToOpenAI(response.usage),
    ...(response.service_tier ? { service_tier: response.service_tier } : {}),
  };
}
export type ChatCompletionObject = ReturnType<typeof chatResponseToCompletion>;

/**
 * Turns provider-neutral stream events into OpenAI `chat.completion.chunk`
 * objects. Stateful per stream: the first chunk carries the role.
 */
export class OpenAIChunkEncoder {
  private sentRole = false;
  constructor(
    private readonly id: string,
    private readonly model: string,
    private readonly created: number,
    private readonly includeUsage: boolean,
  ) {}

  encode(event: StreamEvent): Record<string, unknown>[] {
    const chunks: Record<string, unknown>[] = [];
    const delta: Record<string, unknown> = {};
    if (!this.sentRole) {
      delta.role = 'assistant';
      this.sentRole = true;
    }
    switch (event.type) {
      case 'text':
        delta.content = event.text;
        chunks.push(this.chunk(delta, null));
        break;
      case 'tool_call_start':
        delta.tool_calls = [{ index: event.index, id: event.id, type: 'function', function: { name: event.name, arguments: '' } }];
        chunks.push(this.chunk(delta, null));
        break;
      case 'tool_call_args':
        delta.tool_calls = [{ index: event.index, function: { arguments: event.arguments } }];
        chunks.push(this.chunk(delta, null));
        break;
      case 'done':
        // Logprobs are not stream events: all of them ride on the finish chunk, so a client that
        // concatenates the chunks' logprobs (as the SDK's stream helper does) gets the whole list.
        chunks.push(this.chunk(delta, event.response.finish_reason, event.response.logprobs ?? null));
        if (this.includeUsage) chunks.push({ ...this.base(), choices: [], usage: usageToOpenAI(event.response.usage) });
        break;
    }
    return chunks;
  }

  private base() {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model };
  }

  private chunk(delta: Record<string, unknown>, finishReason: string | null, logprobs: unknown = null) {
    return { ...this.base(), choices: [{ index: 0, delta, logprobs, finish_reason: finishReason }] };
  }
}
