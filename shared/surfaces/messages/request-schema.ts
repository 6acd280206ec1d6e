import { z } from 'zod';
import { RequestHintsSchema } from '../../core/jobs/request-hints';
import { FIELD_HANDLING, refusedBlockMessage, refusedToolMessage } from './field-handling';

/**
 * The Anthropic Messages request body (`POST /v1/messages`) as Parsimony
 * accepts it. Every field of the installed SDK's `MessageCreateParams` and
 * `BetaMessageCreateParams` has a schema here (checked at compile time in
 * field-handling.ts); fields newer than the SDK are kept (`catchall`) and
 * forwarded to Anthropic verbatim, so a newer client never gets a 400 merely
 * for being newer. Inside blocks, unknown keys are stripped (e.g. `citations`).
 */

const CacheControlSchema = z
  .object({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() })
  .nullable()
  .optional();

const TextBlockSchema = z.object({ type: z.literal('text'), text: z.string(), cache_control: CacheControlSchema });
const ImageSourceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string() }),
  z.object({ type: z.literal('url'), url: z.string().min(1) }),
]);
const ImageBlockSchema = z.object({ type: z.literal('image'), source: ImageSourceSchema, cache_control: CacheControlSchema });
const ToolUseBlockSchema = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: CacheControlSchema,
});
const ToolResultPartSchema = z.union([TextBlockSchema, ImageBlockSchema], { error: 'tool_result content blocks must be text or image blocks' });
const ToolResultBlockSchema = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(ToolResultPartSchema)]).optional(),
  is_error: z.boolean().optional(),
  cache_control: CacheControlSchema,
});
const ThinkingBlockSchema = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() });
const RedactedThinkingBlockSchema = z.object({ type: z.literal('redacted_thinking'), data: z.string() });

const BLOCK_SCHEMAS = {
  text: TextBlockSchema,
  image: ImageBlockSchema,
  tool_use: ToolUseBlockSchema,
  tool_result: ToolResultBlockSchema,
  thinking: ThinkingBlockSchema,
  redacted_thinking: RedactedThinkingBlockSchema,
} as const;
export type MessagesBlock = z.output<(typeof BLOCK_SCHEMAS)[keyof typeof BLOCK_SCHEMAS]>;

/** A content block: one of the kinds Parsimony can carry to every model, or a 400 naming the kind and why not. */
const ContentBlockSchema = z.looseObject({ type: z.string() }).transform((block, ctx): MessagesBlock => {
  const schema = (BLOCK_SCHEMAS as Record<string, z.ZodType<MessagesBlock>>)[block.type];
  if (!schema) {
    ctx.addIssue({ code: 'custom', message: refusedBlockMessage(block.type) });
    return z.NEVER;
  }
  const parsed = schema.safeParse(block);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: `${[block.type, ...issue.path].join('.')}: ${issue.message}` });
  return z.NEVER;
});

const MessageParamSchema = z.object({
  role: z.enum(['user', 'assistant'], { error: 'role must be "user" or "assistant" (the system prompt goes in the top-level "system" field)' }),
  content: z.union([z.string(), z.array(ContentBlockSchema)]),
});

const CustomToolSchema = z.object({
  type: z.literal('custom').optional(),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/, 'tool names are 1-128 letters, digits, _ or -'),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()),
  cache_control: CacheControlSchema,
});
export type MessagesTool = z.output<typeof CustomToolSchema>;
/** Client tools pass; server tools (web search, code execution, …) are refused with their type named. */
const ToolSchema = z.looseObject({ type: z.string().optional() }).transform((tool, ctx): MessagesTool => {
  if (tool.type !== undefined && tool.type !== 'custom') {
    ctx.addIssue({ code: 'custom', message: refusedToolMessage(tool.type) });
    return z.NEVER;
  }
  const parsed = CustomToolSchema.safeParse(tool);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: `${issue.path.join('.') || 'tool'}: ${issue.message}` });
  return z.NEVER;
});

const parallel = { disable_parallel_tool_use: z.boolean().optional() };
const ToolChoiceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), ...parallel }),
  z.object({ type: z.literal('any'), ...parallel }),
  z.object({ type: z.literal('tool'), name: z.string().min(1), ...parallel }),
  z.object({ type: z.literal('none') }),
]);

const display = { display: z.enum(['summarized', 'omitted']).nullable().optional() };
const ThinkingSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().positive(), ...display }),
  z.object({ type: z.literal('disabled') }),
  z.object({ type: z.literal('adaptive'), ...display }),
  z.object({ type: z.literal('between_tools') }),
]);

const JsonOutputFormatSchema = z.object({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) });
const OutputConfigSchema = z.object({
  effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullable().optional(),
  format: JsonOutputFormatSchema.nullable().optional(),
});

const ContextEditSchema = z.looseObject({ type: z.string().min(1) });
const ContextManagementSchema = z.looseObject({ edits: z.array(ContextEditSchema).optional() });

/** Fields forwarded to Anthropic as sent (no other provider has them); any JSON. */
const forwarded = z.unknown().optional();
/** Fields Parsimony refuses when set (see field-handling.ts for why); null / absent is fine. */
const refused = z.unknown().optional();

export const MESSAGES_BODY_SHAPE = {
  model: z.string().min(1, 'model is required: a catalog model id or "auto"'),
  messages: z.array(MessageParamSchema).min(1, 'messages: at least one message is required'),
  max_tokens: z.number().int().positive('max_tokens must be a positive integer'),
  system: z.union([z.string(), z.array(TextBlockSchema)]).optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().nonnegative().optional(),
  tools: z.array(ToolSchema).optional(),
  tool_choice: ToolChoiceSchema.optional(),
  thinking: ThinkingSchema.optional(),
  metadata: z.looseObject({ user_id: z.string().nullable().optional() }).optional(),
  service_tier: z.enum(['auto', 'standard_only']).optional(),
  output_config: OutputConfigSchema.optional(),
  output_format: JsonOutputFormatSchema.nullable().optional(),
  context_management: ContextManagementSchema.nullable().optional(),
  betas: z.array(z.string()).optional(),
  cache_control: CacheControlSchema,
  container: forwarded,
  diagnostics: forwarded,
  inference_geo: forwarded,
  speed: forwarded,
  user_profile_id: forwarded,
  workspace_id: forwarded,
  billing_policy: forwarded,
  fallbacks: forwarded,
  fallback_credit_token: forwarded,
  mcp_servers: refused,
  compaction: refused,
  thread: refused,
  /** Parsimony's extension: hints (task, tier bounds, cache); never sent to a provider. */
  parsimony: RequestHintsSchema.optional(),
};

export const MessagesBodySchema = z
  .object(MESSAGES_BODY_SHAPE)
  .catchall(z.unknown())
  .superRefine((body, ctx) => {
    for (const [field, handling] of Object.entries(FIELD_HANDLING)) {
      if (handling.kind !== 'refused') continue;
      const value = (body as Record<string, unknown>)[field];
      if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
      ctx.addIssue({ code: 'custom', path: [field], message: `not supported by Parsimony: ${handling.why}` });
    }
    if (body.thinking?.type === 'enabled' && body.thinking.budget_tokens >= body.max_tokens)
      ctx.addIssue({ code: 'custom', path: ['thinking', 'budget_tokens'], message: 'max_tokens must be greater than thinking.budget_tokens' });
    if (body.tool_choice && body.tool_choice.type !== 'auto' && body.tool_choice.type !== 'none' && !body.tools?.length)
      ctx.addIssue({ code: 'custom', path: ['tool_choice'], message: 'tool_choice is only allowed when tools are provided' });
    const toolNames = new Set(body.tools?.map((t) => t.name));
    if (body.tool_choice?.type === 'tool' && !toolNames.has(body.tool_choice.name))
      ctx.addIssue({ code: 'custom', path: ['tool_choice', 'name'], message: `tool '${body.tool_choice.name}' not found in tools` });
  });

export type MessagesBody = z.output<typeof MessagesBodySchema>;
export type MessagesMessage = MessagesBody['messages'][number];

/** `POST /v1/messages/count_tokens`: the same body without `max_tokens` (and never streamed). */
export const CountTokensBodySchema = z.object({ ...MESSAGES_BODY_SHAPE, max_tokens: MESSAGES_BODY_SHAPE.max_tokens.optional() }).catchall(z.unknown());
