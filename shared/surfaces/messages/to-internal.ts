import type { ChatMessage, ChatRequest, ContentPart, ContextManagementConfig, ReasoningPart, ResponseFormat, TextPart, ToolCall, ToolChoice } from '../../core/chat-model';
import { ApiError } from '../../core/errors/api-error';
import { dropUndefined } from '../chat-completions/to-internal';
import { FIELD_HANDLING, FORWARDED_FIELDS } from './field-handling';
import { decodeForeignSignature } from './reasoning-signature';
import type { MessagesBlock, MessagesBody, MessagesMessage } from './request-schema';

/**
 * Maps a validated Messages body into the provider-neutral request.
 *
 * - A user turn's `tool_result` blocks become tool messages (before the
 *   turn's other blocks, as Anthropic orders them); images inside a tool
 *   result follow as a user message, the one place the internal model holds
 *   images.
 * - `thinking` / `redacted_thinking` blocks become the assistant turn's
 *   reasoning parts (provider "anthropic", or the provider a Parsimony
 *   signature names).
 * - `thinking`: enabled → `reasoning.budget_tokens`, disabled → effort
 *   "none"; the adaptive and between-tools kinds (and `display`) are also
 *   forwarded verbatim to Anthropic, which alone has them.
 * - `output_config` / `output_format`: effort → `reasoning.effort`, format →
 *   `response_format` json_schema; also
 *   forwarded verbatim, so Anthropic gets its native structured output.
 * - Forwarded fields, and top-level fields newer than the installed SDK, go
 *   to `provider_options.anthropic` as sent.
 */
export function messagesBodyToChatRequest(body: MessagesBody): ChatRequest {
  const anthropic: Record<string, unknown> = {};
  const request: ChatRequest = {
    model: body.model,
    system: body.system === undefined ? [] : typeof body.system === 'string' ? (body.system ? [{ type: 'text', text: body.system }] : []) : body.system.map(textPart),
    messages: body.messages.flatMap((m, i) => messageToInternal(m, i)),
    sampling: dropUndefined({ max_tokens: body.max_tokens, stop: body.stop_sequences, temperature: body.temperature, top_p: body.top_p }),
  };
  if (body.tools?.length) request.tools = body.tools.map((t) => dropUndefined({ name: t.name, description: t.description, parameters: t.input_schema, cache_control: t.cache_control ?? undefined }));
  if (body.tool_choice) {
    request.tool_choice = toolChoiceToInternal(body.tool_choice);
    if ('disable_parallel_tool_use' in body.tool_choice && body.tool_choice.disable_parallel_tool_use) request.parallel_tool_calls = false;
  }
  if (body.metadata?.user_id) request.user = body.metadata.user_id;
  if (body.service_tier) request.service_tier = body.service_tier === 'auto' ? 'auto' : 'default';

  const thinking = body.thinking;
  if (thinking?.type === 'enabled') request.reasoning = { budget_tokens: thinking.budget_tokens };
  else if (thinking?.type === 'disabled') request.reasoning = { effort: 'none' };
  if (thinking && (thinking.type === 'adaptive' || thinking.type === 'between_tools' || ('display' in thinking && thinking.display != null))) anthropic.thinking = thinking;
  const effort = body.output_config?.effort;
  if (effort) request.reasoning = { ...request.reasoning, effort };
  const format = body.output_config?.format ?? body.output_format;
  if (format) request.response_format = formatToInternal(format.schema);
  if (body.output_config) anthropic.output_config = body.output_config;
  if (body.output_format) anthropic.output_format = body.output_format;
  if (body.context_management) request.context_management = body.context_management as ContextManagementConfig;

  const raw = body as Record<string, unknown>;
  for (const field of FORWARDED_FIELDS) if (raw[field] !== undefined) anthropic[field] = raw[field];
  for (const [field, value] of Object.entries(raw)) if (!(field in FIELD_HANDLING) && value !== undefined) anthropic[field] = value;
  if (Object.keys(anthropic).length) request.provider_options = { anthropic };
  if (body.betas?.length) request.provider_headers = { anthropic: { 'anthropic-beta': body.betas.join(',') } };
  return request;
}

/** The Anthropic headers of the incoming request, forwarded when the request goes to Anthropic. */
export function withAnthropicHeaders(request: ChatRequest, header: (name: string) => string | undefined): ChatRequest {
  const headers: Record<string, string> = { ...request.provider_headers?.anthropic };
  const version = header('anthropic-version');
  if (version) headers['anthropic-version'] = version;
  const beta = [header('anthropic-beta'), headers['anthropic-beta']].filter((v): v is string => !!v).join(',');
  if (beta) headers['anthropic-beta'] = beta;
  if (!Object.keys(headers).length) return request;
  return { ...request, provider_headers: { ...request.provider_headers, anthropic: headers } };
}

function messageToInternal(m: MessagesMessage, index: number): ChatMessage[] {
  const blocks: MessagesBlock[] = typeof m.content === 'string' ? (m.content ? [{ type: 'text', text: m.content }] : []) : m.content;
  return m.role === 'user' ? userTurn(blocks, index) : [assistantTurn(blocks, index)];
}

function userTurn(blocks: MessagesBlock[], index: number): ChatMessage[] {
  const out: ChatMessage[] = [];
  const content: ContentPart[] = [];
  const resultImages: ContentPart[] = [];
  blocks.forEach((b, j) => {
    switch (b.type) {
      case 'text':
        content.push(textPart(b));
        break;
      case 'image':
        content.push(imagePart(b));
        break;
      case 'tool_result': {
        const parts = typeof b.content === 'string' ? [{ type: 'text' as const, text: b.content }] : (b.content ?? []);
        const text = parts
          .filter((p) => p.type === 'text')
          .map((p) => p.text)
          .join('\n');
        resultImages.push(...parts.filter((p) => p.type === 'image').map(imagePart));
        out.push(dropUndefined({ role: 'tool' as const, tool_call_id: b.tool_use_id, content: text, is_error: b.is_error || undefined }));
        break;
      }
      default:
        throw ApiError.invalid(`messages.${index}.content.${j}: ${b.type} blocks can only appear in assistant messages`);
    }
  });
  const parts = [...resultImages, ...content];
  if (parts.length || !out.length) out.push({ role: 'user', content: parts });
  return out;
}

function assistantTurn(blocks: MessagesBlock[], index: number): ChatMessage {
  const content: ContentPart[] = [];
  const calls: ToolCall[] = [];
  const reasoning: ReasoningPart[] = [];
  blocks.forEach((b, j) => {
    if (b.type === 'text') content.push(textPart(b));
    else if (b.type === 'tool_use') calls.push({ id: b.id, name: b.name, arguments: JSON.stringify(b.input) });
    else if (b.type === 'thinking') reasoning.push(decodeForeignSignature(b.thinking, b.signature) ?? { type: 'reasoning', text: b.thinking, signature: b.signature, provider: 'anthropic' });
    else if (b.type === 'redacted_thinking') reasoning.push(decodeForeignSignature('', b.data) ?? { type: 'reasoning', text: '', encrypted: b.data, provider: 'anthropic' });
    else throw ApiError.invalid(`messages.${index}.content.${j}: ${b.type} blocks can only appear in user messages`);
  });
  const message: ChatMessage = { role: 'assistant', content };
  if (calls.length) message.tool_calls = calls;
  if (reasoning.length) message.reasoning = reasoning;
  return message;
}

function textPart(b: { text: string; cache_control?: TextPart['cache_control'] | null }): TextPart {
  return b.cache_control ? { type: 'text', text: b.text, cache_control: { ...b.cache_control } } : { type: 'text', text: b.text };
}

function imagePart(b: Extract<MessagesBlock, { type: 'image' }>): ContentPart {
  const s = b.source;
  return { type: 'image', url: s.type === 'url' ? s.url : `data:${s.media_type};base64,${s.data}` };
}

function toolChoiceToInternal(choice: NonNullable<MessagesBody['tool_choice']>): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { name: choice.name };
  }
}

function formatToInternal(schema: Record<string, unknown>): ResponseFormat {
  return { type: 'json_schema', json_schema: { name: 'output', schema, strict: true } };
}
