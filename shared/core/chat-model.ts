/**
 * The provider-neutral chat model. Every request is mapped into this shape at
 * the edge (OpenAI or Anthropic wire format) and every provider adapter maps
 * out of it, so the pipeline stages never see a wire format.
 */

export interface ToolCall {
  /** Provider-issued call id (OpenAI `call_…`, Anthropic `toolu_…`). */
  id: string;
  name: string;
  /** JSON-encoded arguments, exactly as the model produced them. */
  arguments: string;
}

export interface TextPart {
  type: 'text';
  text: string;
  /** Anthropic prompt-caching breakpoint on this block (set by the caller or the prompt-cache stage). */
  cache_control?: CacheControl;
}

export interface ImagePart {
  type: 'image';
  /** http(s) URL or data: URL. */
  url: string;
}

export type ContentPart = TextPart | ImagePart;

export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export type ChatMessage =
  | { role: 'user'; content: ContentPart[]; name?: string }
  | { role: 'assistant'; content: ContentPart[]; tool_calls?: ToolCall[]; name?: string }
  | { role: 'tool'; tool_call_id: string; content: string; is_error?: boolean };

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
  cache_control?: CacheControl;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean; description?: string } };

export interface SamplingParams {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
}

export interface ChatRequest {
  /** Catalog model id the request will be executed on (set by the route stage). */
  model: string;
  /** System prompt blocks, kept apart from the turns because Anthropic does. */
  system: TextPart[];
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  response_format?: ResponseFormat;
  sampling: SamplingParams;
  /** OpenAI prompt-cache routing key (set by the prompt-cache stage). */
  prompt_cache_key?: string;
  /** End-user id, forwarded for provider abuse tracking. */
  user?: string;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface Usage {
  /** All input tokens, including cached reads and cache writes. */
  input_tokens: number;
  output_tokens: number;
  /** Input tokens served from the provider's prompt cache. */
  cached_input_tokens: number;
  /** Input tokens written to the provider's prompt cache (Anthropic). */
  cache_write_tokens: number;
}

export interface ChatResponse {
  /** Provider response id. */
  id: string;
  /** Model id as reported by the provider. */
  model: string;
  content: string | null;
  tool_calls: ToolCall[];
  finish_reason: FinishReason;
  usage: Usage;
  /** Unix seconds. */
  created: number;
}

/** Incremental events of a streamed response, provider-neutral. */
export type StreamEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_call_start'; index: number; id: string; name: string }
  | { type: 'tool_call_args'; index: number; arguments: string }
  | { type: 'done'; response: ChatResponse };

export function emptyUsage(): Usage {
  return { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0 };
}

/** Text of a message's parts, joined; images are ignored. */
export function textOf(parts: ContentPart[] | string): string {
  if (typeof parts === 'string') return parts;
  return parts
    .filter((p): p is TextPart => p.type === 'text')
    .map((p) => p.text)
    .join('\n');
}

/** The text of the last user turn, which is what caching and routing look at first. */
export function lastUserText(request: Pick<ChatRequest, 'messages'>): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i];
    if (m.role === 'user') return textOf(m.content);
  }
  return '';
}
