import type { ChatMessage, ChatRequest, ContentPart as InternalPart, ReasoningEffort, TextPart, ToolChoice } from '../../core/chat-model';
import { ApiError } from '../../core/errors/api-error';
import { dropUndefined } from '../chat-completions/to-internal';
import { decodeReasoning } from './reasoning-envelope';
import type { ContentPart, InputItem, ResponsesBody } from './request-schema';

/**
 * Maps a validated Responses body (plus the items of the conversation it
 * continues, for previous_response_id) into the provider-neutral request.
 * `instructions` become the system prompt (a previous response's
 * instructions are not carried over, as on OpenAI); system / developer
 * messages in the input join it. Consecutive reasoning, assistant-message
 * and function_call items make one assistant turn.
 */
export function responsesBodyToChatRequest(body: ResponsesBody, items: InputItem[]): ChatRequest {
  const system: TextPart[] = body.instructions ? [{ type: 'text', text: body.instructions }] : [];
  const messages: ChatMessage[] = [];
  let turn: Extract<ChatMessage, { role: 'assistant' }> | undefined;
  const assistantTurn = () => {
    if (!turn) {
      turn = { role: 'assistant', content: [] };
      messages.push(turn);
    }
    return turn;
  };
  for (const item of items) {
    const type = item.type ?? 'message';
    if (type === 'message') {
      const m = item as Extract<InputItem, { role: string }>;
      if (m.role === 'assistant') {
        assistantTurn().content.push(...partsToInternal(m.content).filter((p) => p.type === 'text'));
        continue;
      }
      turn = undefined;
      if (m.role === 'system' || m.role === 'developer') system.push(...partsToInternal(m.content).filter((p): p is TextPart => p.type === 'text'));
      else messages.push({ role: 'user', content: partsToInternal(m.content) });
    } else if (type === 'function_call') {
      const c = item as Extract<InputItem, { type: 'function_call' }>;
      const t = assistantTurn();
      (t.tool_calls ??= []).push({ id: c.call_id, name: c.name, arguments: c.arguments });
    } else if (type === 'reasoning') {
      const r = item as Extract<InputItem, { type: 'reasoning' }>;
      const text = [...r.summary, ...(r.content ?? [])].map((s) => s.text).join('\n\n');
      (assistantTurn().reasoning ??= []).push(decodeReasoning({ id: r.id, text, encrypted_content: r.encrypted_content }));
    } else if (type === 'function_call_output') {
      const o = item as Extract<InputItem, { type: 'function_call_output' }>;
      turn = undefined;
      const output =
        typeof o.output === 'string'
          ? o.output
          : partsToInternal(o.output)
              .map((p) => (p.type === 'text' ? p.text : `[image: ${p.url}]`))
              .join('\n');
      messages.push({ role: 'tool', tool_call_id: o.call_id, content: output });
    }
  }
  checkToolResults(messages);
  if (!messages.length) throw ApiError.invalid('input: the request needs at least one input item (a user message, or function_call_output items continuing previous_response_id)');

  const request: ChatRequest = {
    model: body.model,
    system,
    messages,
    sampling: dropUndefined({ temperature: body.temperature ?? undefined, top_p: body.top_p ?? undefined, max_tokens: body.max_output_tokens ?? undefined }),
  };
  const { tools, toolChoice } = toolsToInternal(body);
  if (tools?.length) request.tools = tools;
  if (toolChoice !== undefined) request.tool_choice = toolChoice;
  const format = body.text?.format;
  if (format?.type === 'json_object') request.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema')
    request.response_format = { type: 'json_schema', json_schema: dropUndefined({ name: format.name, schema: format.schema, strict: format.strict ?? undefined, description: format.description }) };
  if (body.text?.verbosity) request.verbosity = body.text.verbosity;
  const effort = body.reasoning?.effort;
  const summary = body.reasoning?.summary ?? body.reasoning?.generate_summary;
  // 'max' is newer than the internal scale: the highest effort it knows.
  if (effort || summary) request.reasoning = dropUndefined({ effort: effort ? ((effort === 'max' ? 'xhigh' : effort) as ReasoningEffort) : undefined, summary: summary ?? undefined });
  if (body.parallel_tool_calls != null) request.parallel_tool_calls = body.parallel_tool_calls;
  if (body.prompt_cache_key) request.prompt_cache_key = body.prompt_cache_key;
  if (body.user) request.user = body.user;
  if (body.service_tier) request.service_tier = body.service_tier;
  // Token logprobs are asked for by the include entry or a positive top_logprobs (0, the API's default, asks for none).
  if ((body.top_logprobs ?? 0) > 0 || body.include?.includes('message.output_text.logprobs')) request.logprobs = dropUndefined({ top_logprobs: body.top_logprobs || undefined });
  // OpenAI-only fields, forwarded when OpenAI answers (its chat API takes them under the same names).
  const openai = dropUndefined({ safety_identifier: body.safety_identifier ?? undefined, prompt_cache_retention: body.prompt_cache_retention === '24h' ? '24h' : undefined });
  if (Object.keys(openai).length) request.provider_options = { openai };
  const compaction = body.context_management?.find((c) => c.type === 'compaction');
  // OpenAI's server-side compaction, in the internal (Anthropic) policy shape the context lever applies to any model.
  if (compaction)
    request.context_management = {
      edits: [{ type: 'compact_20260112', ...(compaction.compact_threshold ? { trigger: { type: 'input_tokens', value: compaction.compact_threshold } } : {}) }],
    } as ChatRequest['context_management'];
  return request;
}

/** The conversation's items in order: a string input is one user message. */
export function inputItems(input: ResponsesBody['input']): InputItem[] {
  if (input === undefined) return [];
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return input;
}

function partsToInternal(content: string | ContentPart[]): InternalPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  const parts: InternalPart[] = [];
  for (const p of content) {
    if (p.type === 'input_text' || p.type === 'output_text') parts.push({ type: 'text', text: p.text });
    else if (p.type === 'refusal') parts.push({ type: 'text', text: p.refusal });
    else if (p.type === 'input_image') {
      if (!p.image_url) throw ApiError.invalid('input_image: send image_url (an http(s) or data: URL); file_id refers to OpenAI file storage, which Parsimony does not read');
      parts.push({ type: 'image', url: p.image_url });
    }
  }
  return parts;
}

function toolsToInternal(body: ResponsesBody): { tools?: ChatRequest['tools']; toolChoice?: ToolChoice } {
  let tools = body.tools
    ?.filter((t): t is Extract<typeof t, { type: 'function'; name: string }> => t.type === 'function' && 'name' in t)
    .map((t) => dropUndefined({ name: t.name, description: t.description ?? undefined, parameters: t.parameters ?? { type: 'object', properties: {} } }));
  const choice = body.tool_choice;
  if (choice === undefined) return { tools };
  if (typeof choice === 'string') return { tools, toolChoice: choice };
  if (choice.type === 'function') return { tools, toolChoice: { name: String((choice as { name: string }).name) } };
  // allowed_tools: the model may only use the listed subset, which is the same as offering only that subset.
  const allowed = new Set(((choice as { tools?: { name?: string }[] }).tools ?? []).map((t) => t.name));
  tools = tools?.filter((t) => allowed.has(t.name));
  return { tools, toolChoice: (choice as { mode?: 'auto' | 'required' }).mode ?? 'auto' };
}

/** Every function_call_output must answer a function_call made earlier in the conversation. */
function checkToolResults(messages: ChatMessage[]): void {
  const called = new Set<string>();
  for (const m of messages) {
    if (m.role === 'assistant') for (const c of m.tool_calls ?? []) called.add(c.id);
    if (m.role === 'tool' && !called.has(m.tool_call_id))
      throw ApiError.invalid(`input: function_call_output answers unknown call_id "${m.tool_call_id}" (send the function_call item too, or previous_response_id)`);
  }
}
