import type { BetaContextManagementConfig } from '@anthropic-ai/sdk/resources/beta/messages/messages';

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

/**
 * Reasoning a model did before it answered (Anthropic thinking, OpenAI
 * reasoning items), kept so an agent can send it back on its next turn. A
 * provider only accepts its own reasoning back (signatures, encrypted
 * content), so adapters replay parts whose `provider` is theirs and drop the
 * others.
 */
export interface ReasoningPart {
  type: 'reasoning';
  /** Visible reasoning text (Anthropic thinking, OpenAI reasoning summary); empty when only encrypted content exists. */
  text: string;
  /** Anthropic's signature over a thinking block: needed to send it back to Anthropic. */
  signature?: string;
  /** Opaque reasoning: Anthropic `redacted_thinking.data`, OpenAI `encrypted_content`. */
  encrypted?: string;
  /** Catalog provider whose model produced it ("openai", "anthropic"). */
  provider?: string;
  /** Provider item id (OpenAI `rs_…`). */
  id?: string;
}

export type ChatMessage =
  | { role: 'user'; content: ContentPart[]; name?: string }
  | {
      role: 'assistant';
      content: ContentPart[];
      tool_calls?: ToolCall[];
      name?: string;
      /** Reasoning that came before this turn's text and tool calls (Anthropic requires it first when thinking is on). */
      reasoning?: ReasoningPart[];
    }
  | {
      role: 'tool';
      tool_call_id: string;
      content: string;
      is_error?: boolean;
      /** Anthropic prompt-caching breakpoint on this tool result (agent chains end on one; set by the caller or the prompt-cache stage). */
      cache_control?: CacheControl;
    };

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
  cache_control?: CacheControl;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat =
  { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean; description?: string } };

export interface SamplingParams {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
}

/** OpenAI's `reasoning_effort` scale (Anthropic's `output_config.effort` is its upper part); `none`/`minimal` turn reasoning (almost) off. */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/** How much a reasoning model may think; each adapter maps it to its provider's knob. */
export interface ReasoningOptions {
  /** OpenAI reasoning effort; for Anthropic mapped to a thinking budget. */
  effort?: ReasoningEffort;
  /** Anthropic extended-thinking budget in tokens; for OpenAI mapped to an effort. */
  budget_tokens?: number;
  /** OpenAI reasoning summary ("auto", "concise", "detailed"). */
  summary?: string;
}

export type ServiceTier = 'auto' | 'default' | 'flex' | 'priority' | 'scale';

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
  /** Reasoning models: effort / thinking budget (set by the caller or chosen by the route stage). */
  reasoning?: ReasoningOptions;
  /** Number of choices to generate (OpenAI `n`); absent = 1. */
  n?: number;
  /** Return token log probabilities (OpenAI `logprobs` / `top_logprobs`). */
  logprobs?: { top_logprobs?: number };
  /** Processing tier the provider should use (OpenAI `service_tier`). */
  service_tier?: ServiceTier;
  /** OpenAI `verbosity` of the answer. */
  verbosity?: 'low' | 'medium' | 'high';
  parallel_tool_calls?: boolean;
  /**
   * Fields only one provider understands (e.g. OpenAI `prediction`, `logit_bias`,
   * Anthropic `container`, `mcp_servers`), keyed by catalog provider: forwarded
   * verbatim when the request goes to that provider, left out for the others.
   */
  provider_options?: Record<string, Record<string, unknown>>;
  /** HTTP headers forwarded to a provider (e.g. `anthropic-version`, `anthropic-beta`), keyed by catalog provider. */
  provider_headers?: Record<string, Record<string, string>>;
  /**
   * Context-editing policy (clear old tool uses / thinking, compaction), in
   * Anthropic's `context_management` shape whatever the surface: forwarded
   * where Anthropic supports it natively, emulated by the context lever for
   * every other model.
   */
  context_management?: ContextManagementConfig;
}

/** Anthropic's `context_management` request field, the one policy shape for context editing. */
export type ContextManagementConfig = BetaContextManagementConfig;

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface Usage {
  /** All input tokens, including cached reads and cache writes. */
  input_tokens: number;
  output_tokens: number;
  /** Input tokens served from the provider's prompt cache. */
  cached_input_tokens: number;
  /** Input tokens written to the provider's prompt cache (Anthropic). */
  cache_write_tokens: number;
  /** Of `cache_write_tokens`, those written with the 1-hour TTL (Anthropic; priced at 2x input instead of 1.25x). */
  cache_write_1h_tokens?: number;
  /** Of `output_tokens`, those spent reasoning (billed as output). */
  reasoning_tokens?: number;
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
  /** Reasoning the model did before its answer (thinking blocks, reasoning items). */
  reasoning?: ReasoningPart[];
  /** The stop sequence that ended the answer, when one did (Anthropic reports it). */
  stop_sequence?: string;
  /** The processing tier the provider actually used, when it says. */
  service_tier?: string;
  /** Token log probabilities as the provider returned them (OpenAI chat `choices[].logprobs`), when asked for. */
  logprobs?: unknown;
  /** Choices after the first when `n` > 1, each a whole answer of its own. */
  more_choices?: Omit<ChatResponse, 'more_choices' | 'usage' | 'id' | 'model' | 'created'>[];
}

/** Incremental events of a streamed response, provider-neutral. */
export type StreamEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_call_start'; index: number; id: string; name: string }
  | { type: 'tool_call_args'; index: number; arguments: string }
  /** A piece of visible reasoning (thinking / reasoning summary) text. */
  | { type: 'reasoning'; text: string }
  /** A reasoning block ended; carries what replaying it needs (signature, encrypted content). */
  | { type: 'reasoning_done'; part: ReasoningPart }
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
