import type { ChatCompletionBody, OpenAIMessage } from './request-schema';
import type { ChatMessage, ChatRequest, ContentPart, TextPart, ToolChoice } from '../../core/chat-model';

/** Maps a validated OpenAI chat-completions body into the provider-neutral request. */
export function openAIBodyToChatRequest(body: ChatCompletionBody): ChatRequest {
  const system: TextPart[] = [];
  const messages: ChatMessage[] = [];
  for (const m of body.messages) {
    if (isSystemMessage(m)) system.push(...textParts(m.content));
    else messages.push(messageToInternal(m));
  }
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
  if (body.tools?.length) {
    request.tools = body.tools.map((t) =>
      dropUndefined({
        name: t.function.name,
        description: t.function.description,
        parameters: t.function.parameters ?? { type: 'object', properties: {} },
        cache_control: t.cache_control,
      }),
    );
  }
  if (body.tool_choice !== undefined) request.tool_choice = toolChoiceToInternal(body.tool_choice);
  if (body.response_format) request.response_format = body.response_format as ChatRequest['response_format'];
  if (body.prompt_cache_key) request.prompt_cache_key = body.prompt_cache_key;
  if (body.service_tier) request.service_tier = body.service_tier;
  if (body.user) request.user = body.user;
  return request;
}

type SystemMessage = Extract<OpenAIMessage, { role: 'system' | 'developer' }>;
function isSystemMessage(m: OpenAIMessage): m is SystemMessage {
  return m.role === 'system' || m.role === 'developer';
}

function messageToInternal(m: Exclude<OpenAIMessage, SystemMessage>): ChatMessage {
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
