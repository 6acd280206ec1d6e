import type { ChatRequest, ChatResponse, ReasoningPart, ToolCall, Usage } from '../../core/chat-model';
import { encodeReasoning } from './reasoning-envelope';

/**
 * Maps a provider-neutral answer into the OpenAI `response` object. Item ids
 * are derived from the job id, so the streamed events, the stored response
 * and GET /v1/jobs/:id agree on them.
 */

/** Request fields a Response echoes back (what the caller asked for), kept on the job as JobOptions.surface_echo. */
export interface ResponseEcho {
  instructions?: string | null;
  metadata?: Record<string, unknown> | null;
  previous_response_id?: string | null;
  store?: boolean;
  tools?: unknown[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
  temperature?: number | null;
  top_p?: number | null;
  max_output_tokens?: number | null;
  reasoning?: unknown;
  text?: unknown;
  truncation?: string | null;
  user?: string;
  prompt_cache_key?: string | null;
  safety_identifier?: string | null;
  top_logprobs?: number | null;
  include?: string[] | null;
  background?: boolean | null;
}

export function responseId(jobId: string): string {
  return `resp_${jobId.replace(/^job_/, '')}`;
}

export const itemIds = {
  message: (jobId: string) => `msg_${jobId.replace(/^job_/, '')}`,
  call: (jobId: string, index: number) => `fc_${jobId.replace(/^job_/, '')}_${index}`,
  reasoning: (jobId: string, index: number) => `rs_${jobId.replace(/^job_/, '')}_${index}`,
};

export function usageToResponses(usage: Usage) {
  return {
    input_tokens: usage.input_tokens,
    input_tokens_details: { cached_tokens: usage.cached_input_tokens, cache_write_tokens: usage.cache_write_tokens },
    output_tokens: usage.output_tokens,
    output_tokens_details: { reasoning_tokens: usage.reasoning_tokens ?? 0 },
    total_tokens: usage.input_tokens + usage.output_tokens,
  };
}

export function reasoningItem(part: ReasoningPart, id: string, includeEncrypted: boolean) {
  const item: Record<string, unknown> = { id, type: 'reasoning', summary: part.text ? [{ type: 'summary_text', text: part.text }] : [] };
  const encrypted = encodeReasoning(part);
  // OpenAI returns encrypted_content only when asked (include: ["reasoning.encrypted_content"]); another provider's
  // signature always travels, since without it the client could not send that reasoning back at all.
  if (encrypted !== undefined && (includeEncrypted || (part.provider && part.provider !== 'openai'))) item.encrypted_content = encrypted;
  return item;
}

export function messageItem(text: string, id: string, status: 'completed' | 'in_progress' | 'incomplete' = 'completed', logprobs: unknown[] = []) {
  return { id, type: 'message', status, role: 'assistant', content: [{ type: 'output_text', text, annotations: [], logprobs }] };
}

/** Token logprobs of the answer in output_text's shape (the chat API's `logprobs.content` entries have the same fields). */
function textLogprobs(response: ChatResponse): unknown[] {
  const content = (response.logprobs as { content?: unknown } | undefined)?.content;
  return Array.isArray(content) ? content : [];
}

export function functionCallItem(call: ToolCall, id: string, status: 'completed' | 'in_progress' = 'completed') {
  return { id, type: 'function_call', status, call_id: call.id, name: call.name, arguments: call.arguments };
}

/** The output items of an answer: reasoning first, then the message, then the function calls (the order models produce them). */
export function outputItems(response: ChatResponse, jobId: string, includeEncrypted: boolean): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = (response.reasoning ?? []).map((part, i) => reasoningItem(part, itemIds.reasoning(jobId, i), includeEncrypted));
  if (response.content !== null && (response.content !== '' || response.tool_calls.length === 0))
    items.push(messageItem(response.content, itemIds.message(jobId), response.finish_reason === 'length' ? 'incomplete' : 'completed', textLogprobs(response)));
  response.tool_calls.forEach((call, i) => items.push(functionCallItem(call, itemIds.call(jobId, i))));
  return items;
}

/** The echo of a request as the Response shows it, from the internal request when the caller's fields were not kept. */
export function echoFromRequest(request: ChatRequest | undefined): ResponseEcho {
  if (!request) return {};
  return {
    instructions: request.system.length ? request.system.map((p) => p.text).join('\n\n') : null,
    tools: (request.tools ?? []).map((t) => ({ type: 'function', name: t.name, description: t.description ?? null, parameters: t.parameters, strict: null })),
    tool_choice: typeof request.tool_choice === 'object' ? { type: 'function', name: request.tool_choice.name } : request.tool_choice,
    temperature: request.sampling.temperature ?? null,
    top_p: request.sampling.top_p ?? null,
    max_output_tokens: request.sampling.max_tokens ?? null,
    parallel_tool_calls: request.parallel_tool_calls,
  };
}

/** The whole `response` object for a finished answer. */
export function chatResponseToResponse(response: ChatResponse, jobId: string, model: string, echo: ResponseEcho = {}, createdAt = response.created) {
  const incomplete = response.finish_reason === 'length' ? 'max_output_tokens' : response.finish_reason === 'content_filter' ? 'content_filter' : undefined;
  const includeEncrypted = echo.include?.includes('reasoning.encrypted_content') === true;
  return {
    id: responseId(jobId),
    object: 'response' as const,
    created_at: createdAt,
    status: incomplete ? ('incomplete' as const) : ('completed' as const),
    completed_at: Math.floor(Date.now() / 1000),
    background: echo.background ?? false,
    error: null,
    incomplete_details: incomplete ? { reason: incomplete } : null,
    instructions: echo.instructions ?? null,
    max_output_tokens: echo.max_output_tokens ?? null,
    metadata: echo.metadata ?? {},
    model,
    output: outputItems(response, jobId, includeEncrypted),
    parallel_tool_calls: echo.parallel_tool_calls ?? true,
    previous_response_id: echo.previous_response_id ?? null,
    prompt_cache_key: echo.prompt_cache_key ?? null,
    reasoning: echo.reasoning ?? { effort: null, summary: null },
    safety_identifier: echo.safety_identifier ?? null,
    service_tier: response.service_tier ?? 'default',
    store: echo.store ?? true,
    temperature: echo.temperature ?? null,
    text: echo.text ?? { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: echo.tool_choice ?? 'auto',
    tools: echo.tools ?? [],
    top_logprobs: echo.top_logprobs ?? 0,
    top_p: echo.top_p ?? null,
    truncation: echo.truncation ?? 'disabled',
    usage: usageToResponses(response.usage),
    user: echo.user ?? null,
  };
}
export type ResponseObject = ReturnType<typeof chatResponseToResponse>;
