import type {
  ContentBlockParam,
  ImageBlockParam,
  Message,
  MessageCreateParamsBase,
  MessageParam,
  RawMessageStreamEvent,
  TextBlockParam,
  Tool,
  ToolChoice,
  ToolResultBlockParam,
  ToolUseBlockParam,
  Usage,
} from '@anthropic-ai/sdk/resources/messages/messages';

/**
 * The Anthropic Messages API wire types Parsimony uses, taken from the
 * official SDK so a field rename there is a compile error here.
 */
export type {
  ContentBlockParam,
  ImageBlockParam,
  Message as AnthropicMessage,
  MessageParam as AnthropicMessageParam,
  RawMessageStreamEvent as AnthropicStreamEvent,
  TextBlockParam,
  Tool as AnthropicTool,
  ToolChoice as AnthropicToolChoice,
  ToolResultBlockParam,
  ToolUseBlockParam,
  Usage as AnthropicUsage,
};

/**
 * Request parameters (without `stream`). SDK 1.x (API version 2026-10-21) no
 * longer declares `temperature` / `top_p`; the API documented them for years
 * and Parsimony's callers send them, so they are declared here and sent as
 * ordinary body fields (see `AnthropicMappingOptions.sendSampling`).
 */
export type AnthropicRequestParams = Omit<MessageCreateParamsBase, 'stream'> & {
  temperature?: number;
  top_p?: number;
};

/** The usage shape common to `Message.usage` and `message_delta.usage` (all optional/nullable). */
export interface AnthropicUsageLike {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
  service_tier?: string | null;
}
