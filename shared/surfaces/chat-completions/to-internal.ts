import type { ChatCompletionBody, OpenAIMessage } from './request-schema';
import type { ChatMessage, ChatRequest, ContentPart, TextPart, ToolChoice } from '../../core/chat-model';

/** Maps a validated OpenAI chat-completions body into the provider-neutral request. */
export function openAIBodyToChatRequest(body: ChatCompletionBody): ChatRequest {
  const system: TextPart[] = [];
  const messages: ChatMessage[] = [];
  // Deprecated function calls get a tool-call id of their own; a `function` message answers the latest call of its name.
  const functionCallIds = new Map<string, string>();
  body.messages.forEach((m, i) => {
    if (isSystemMessage(m)) system.push(...textParts(m.content));
    else if (m.role === 'function') messages.push({ role: 'tool', tool_call_id: functionCallIds.get(m.name) ?? legacyCallId(i), content: m.content ?? '' });
    else {
      const message = messageToInternal(m);
      if (m.role === 'assistant' && m.function_call && message.role === 'assistant') {
        const id = legacyCallId(i);
        functionCallIds.set(m.function_call.name, id);
        message.tool_calls = [...(message.tool_calls ?? []), { id, name: m.function_call.name, arguments: m.function_call.arguments }];
      }
      messages.push(message);
    }
  });
  const stop = body.stop == null ? undefined : Array.isArray(body.stop) ? body.stop : [body.stop];
  const request: ChatRequest = {
    model: body.model,
    system,
    messages,
    sampling: dropUndefined({
      temperature: body.temperature ?? undefined,
      top_p: body.top_p ?? undefined,
      max_tokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
      stop,
      seed: body.seed ?? undefined,
      presence_penalty: body.presence_penalty ?? undefined,
      frequency_penalty: body.frequency_penalty ?? undefined,
    }),
  };
  const tools = body.tools ?? body.functions?.map((f) => ({ type: 'function' as const, function: f, cache_control: undefined }));
  if (tools?.length) {
    request.tools = tools.map((t) =>
      dropUndefined({
        name: t.function.name,
        description: t.function.description,
        parameters: t.function.parameters ?? { type: 'object', properties: {} },
        cache_control: t.cache_control,
      }),
    );
  }
  if (body.tool_choice !== undefined) request.tool_choice = toolChoiceToInternal(body.tool_choice);
  else if (body.function_call !== undefined) request.tool_choice = typeof body.function_call === 'string' ? body.function_call : { name: body.function_call.name };
  Object.assign(request, currentApiOptions(body));
  if (body.response_format) request.response_format = body.response_format as ChatRequest['response_format'];
  if (body.prompt_cache_key) request.prompt_cache_key = body.prompt_cache_key;
  if (body.user) request.user = body.user;
  return request;
}

/**
 * The fields of the current API beyond the classic ones: the options every
 * provider can honour go into the internal model; the OpenAI-only ones into
 * `provider_options.openai`, forwarded only when OpenAI answers.
 */
function currentApiOptions(body: ChatCompletionBody): Partial<ChatRequest> {
  const options: Partial<ChatRequest> = {};
  if (body.n != null && body.n > 1) options.n = body.n;
  if (body.logprobs === true) options.logprobs = dropUndefined({ top_logprobs: body.top_logprobs ?? undefined });
  if (body.reasoning_effort != null) options.reasoning = { effort: body.reasoning_effort };
  if (body.verbosity != null) options.verbosity = body.verbosity;
  if (body.service_tier != null) options.service_tier = body.service_tier;
  if (body.parallel_tool_calls !== undefined) options.parallel_tool_calls = body.parallel_tool_calls;
  const openai = dropUndefined({
    prediction: body.prediction ?? undefined,
    safety_identifier: body.safety_identifier ?? undefined,
    prompt_cache_retention: body.prompt_cache_retention ?? undefined,
    prompt_cache_options: body.prompt_cache_options,
    logit_bias: body.logit_bias ?? undefined,
    moderation: body.moderation ?? undefined,
  });
  if (Object.keys(openai).length) options.provider_options = { openai };
  return options;
}

/** The tool-call id given to a deprecated `function_call` (message index keeps it stable across retries). */
function legacyCallId(messageIndex: number): string {
  return `call_function_${messageIndex}`;
}

type SystemMessage = Extract<OpenAIMessage, { role: 'system' | 'developer' }>;
function isSystemMessage(m: OpenAIMessage): m is SystemMessage {
  return m.role === 'system' || m.role === 'developer';
}

function messageToInternal(m: Exclude<OpenAIMessage, SystemMessage | { role: 'function' }>): ChatMessage {
  switch (m.role) {
    case 'user':
      return dropUndefined({ role: 'user' as const, content: userParts(m.content), name: m.name });
    case 'assistant':
      return dropUndefined({
        role: 'assistant' as const,
        content: m.content == null ? [] : textParts(m.content),
        tool_calls: m.tool_calls?.length ? m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })) : undefined,
        name: m.name,
      });
    case 'tool':
      return { role: 'tool', tool_call_id: m.tool_call_id, content: typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join('\n') };
  }
}

function textParts(content: string | { type: 'text'; text: string; cache_control?: TextPart['cache_control'] }[]): TextPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((p) => dropUndefined({ type: 'text' as const, text: p.text, cache_control: p.cache_control }));
}

function userParts(content: Extract<OpenAIMessage, { role: 'user' }>['content']): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((p) => (p.type === 'text' ? dropUndefined({ type: 'text' as const, text: p.text, cache_control: p.cache_control }) : { type: 'image' as const, url: p.image_url.url }));
}

function toolChoiceToInternal(choice: NonNullable<ChatCompletionBody['tool_choice']>): ToolChoice {
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}

/** Removes keys whose value is undefined so records stay compact and byte-stable. */
export function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
