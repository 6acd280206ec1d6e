import { z } from 'zod';
import { RequestHintsSchema } from '../../core/jobs/request-hints';

/**
 * The OpenAI chat-completions request body as Parsimony accepts it at its edge.
 * Strict, like OpenAI itself ("Unrecognized request argument"), so a typo is a
 * 400 rather than a silently ignored option.
 */

const TextPartSchema = z.object({ type: z.literal('text'), text: z.string(), cache_control: z.object({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() }).optional() }).strict();
const ImagePartSchema = z
  .object({ type: z.literal('image_url'), image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }).strict() })
  .strict();
const UserPartSchema = z.discriminatedUnion('type', [TextPartSchema, ImagePartSchema]);

const ToolCallSchema = z
  .object({
    id: z.string().min(1),
    type: z.literal('function'),
    function: z.object({ name: z.string().min(1), arguments: z.string() }).strict(),
  })
  .strict();

const SystemMessageSchema = z
  .object({ role: z.enum(['system', 'developer']), content: z.union([z.string(), z.array(TextPartSchema).min(1)]), name: z.string().optional() })
  .strict();
const UserMessageSchema = z
  .object({ role: z.literal('user'), content: z.union([z.string(), z.array(UserPartSchema).min(1)]), name: z.string().optional() })
  .strict();
const AssistantMessageSchema = z
  .object({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(TextPartSchema), z.null()]).optional(),
    tool_calls: z.array(ToolCallSchema).optional(),
    name: z.string().optional(),
    refusal: z.string().nullable().optional(),
  })
  .strict()
  .refine((m) => (m.content !== undefined && m.content !== null) || (m.tool_calls?.length ?? 0) > 0, {
    message: 'an assistant message needs content or tool_calls',
  });
const ToolMessageSchema = z
  .object({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: z.union([z.string(), z.array(TextPartSchema)]) })
  .strict();

export const OpenAIMessageSchema = z.union([SystemMessageSchema, UserMessageSchema, AssistantMessageSchema, ToolMessageSchema]);

const FunctionToolSchema = z
  .object({
    type: z.literal('function'),
    function: z
      .object({
        name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'tool names are 1-64 letters, digits, _ or -'),
        description: z.string().optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullable().optional(),
      })
      .strict(),
    cache_control: z.object({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() }).optional(),
  })
  .strict();

const ToolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }).strict() }).strict(),
]);

const ResponseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }).strict(),
  z.object({ type: z.literal('json_object') }).strict(),
  z
    .object({
      type: z.literal('json_schema'),
      json_schema: z
        .object({ name: z.string().min(1), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullable().optional(), description: z.string().optional() })
        .strict(),
    })
    .strict(),
]);

export const ChatCompletionBodySchema = z
  .object({
    model: z.string().min(1, 'model is required: a catalog model id or "auto"'),
    messages: z.array(OpenAIMessageSchema).min(1, 'messages must hold at least one message'),
    tools: z.array(FunctionToolSchema).optional(),
    tool_choice: ToolChoiceSchema.optional(),
    parallel_tool_calls: z.boolean().optional(),
    response_format: ResponseFormatSchema.optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    max_tokens: z.number().int().positive().nullable().optional(),
    max_completion_tokens: z.number().int().positive().nullable().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
    seed: z.number().int().nullable().optional(),
    presence_penalty: z.number().min(-2).max(2).nullable().optional(),
    frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
    n: z.literal(1, { message: 'n must be 1: Parsimony returns one choice per request' }).nullable().optional(),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).strict().nullable().optional(),
    user: z.string().optional(),
    prompt_cache_key: z.string().optional(),
    service_tier: z.enum(['auto', 'default', 'flex', 'priority', 'scale']).nullable().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    store: z.boolean().nullable().optional(),
    /** Parsimony's extension: hints (task, tier bounds, cache); removed before the request reaches a provider. */
    parsimony: RequestHintsSchema.optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    const turns = body.messages.filter((m) => m.role !== 'system' && m.role !== 'developer');
    if (turns.length === 0) ctx.addIssue({ code: 'custom', path: ['messages'], message: 'messages must include at least one user, assistant or tool message' });
    // Every tool result must answer a tool call made earlier in the conversation.
    const called = new Set<string>();
    body.messages.forEach((m, i) => {
      if (m.role === 'assistant') for (const c of m.tool_calls ?? []) called.add(c.id);
      if (m.role === 'tool' && !called.has(m.tool_call_id))
        ctx.addIssue({ code: 'custom', path: ['messages', i, 'tool_call_id'], message: `tool message answers unknown tool_call_id "${m.tool_call_id}"` });
    });
  });

export type ChatCompletionBody = z.infer<typeof ChatCompletionBodySchema>;
export type OpenAIMessage = z.infer<typeof OpenAIMessageSchema>;
