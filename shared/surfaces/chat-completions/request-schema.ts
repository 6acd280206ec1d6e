import { z } from 'zod';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions/completions';
import { RequestHintsSchema } from '../../core/jobs/request-hints';
import { REASONING_EFFORTS } from '../../core/chat-model';

/**
 * The OpenAI chat-completions request body as Parsimony accepts it at its edge.
 * Strict, like OpenAI itself ("Unrecognized request argument"), so a typo is a
 * 400 rather than a silently ignored option.
 */

const TextPartSchema = z.object({ type: z.literal('text'), text: z.string(), cache_control: z.object({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() }).optional() }).strict();
const ImagePartSchema = z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }).strict() }).strict();
const UserPartSchema = z.discriminatedUnion('type', [TextPartSchema, ImagePartSchema]);

const ToolCallSchema = z
  .object({
    id: z.string().min(1),
    type: z.literal('function'),
    function: z.object({ name: z.string().min(1), arguments: z.string() }).strict(),
  })
  .strict();

const SystemMessageSchema = z.object({ role: z.enum(['system', 'developer']), content: z.union([z.string(), z.array(TextPartSchema).min(1)]), name: z.string().optional() }).strict();
const UserMessageSchema = z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(UserPartSchema).min(1)]), name: z.string().optional() }).strict();
const AssistantMessageSchema = z
  .object({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(TextPartSchema), z.null()]).optional(),
    tool_calls: z.array(ToolCallSchema).optional(),
    name: z.string().optional(),
    refusal: z.string().nullable().optional(),
    /** Deprecated single function call (before `tool_calls`); translated to a tool call. */
    function_call: z
      .object({ name: z.string().min(1), arguments: z.string() })
      .strict()
      .nullable()
      .optional(),
    /** Clients push returned messages back unchanged. */
    annotations: z.array(z.unknown()).optional(),
  })
  .strict()
  .refine((m) => (m.content !== undefined && m.content !== null) || (m.tool_calls?.length ?? 0) > 0 || !!m.function_call, {
    message: 'an assistant message needs content or tool_calls',
  });
/** Deprecated result of a `function_call`; translated to the tool result of that call. */
const FunctionMessageSchema = z.object({ role: z.literal('function'), name: z.string().min(1), content: z.string().nullable() }).strict();
const ToolMessageSchema = z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: z.union([z.string(), z.array(TextPartSchema)]) }).strict();

export const OpenAIMessageSchema = z.union([SystemMessageSchema, UserMessageSchema, AssistantMessageSchema, ToolMessageSchema, FunctionMessageSchema]);

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

/** Deprecated `functions` entry: the same as a function tool. */
const LegacyFunctionSchema = FunctionToolSchema.shape.function;

const ToolChoiceSchema = z.union([z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }).strict() }).strict()]);

const ResponseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }).strict(),
  z.object({ type: z.literal('json_object') }).strict(),
  z
    .object({
      type: z.literal('json_schema'),
      json_schema: z.object({ name: z.string().min(1), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullable().optional(), description: z.string().optional() }).strict(),
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
    stop: z
      .union([z.string(), z.array(z.string()).max(4)])
      .nullable()
      .optional(),
    seed: z.number().int().nullable().optional(),
    presence_penalty: z.number().min(-2).max(2).nullable().optional(),
    frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
    /** Choices to generate; each is priced (the provider bills their output tokens). */
    n: z.number().int().min(1).max(128).nullable().optional(),
    logprobs: z.boolean().nullable().optional(),
    top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
    reasoning_effort: z.enum(REASONING_EFFORTS).nullable().optional(),
    verbosity: z.enum(['low', 'medium', 'high']).nullable().optional(),
    service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullable().optional(),
    // OpenAI-only fields, forwarded verbatim when the request goes to OpenAI (provider_options.openai).
    prediction: z
      .object({ type: z.literal('content'), content: z.union([z.string(), z.array(TextPartSchema)]) })
      .strict()
      .nullable()
      .optional(),
    safety_identifier: z.string().nullable().optional(),
    prompt_cache_retention: z.enum(['in_memory', '24h']).nullable().optional(),
    prompt_cache_options: z
      .object({ mode: z.enum(['implicit', 'explicit']).optional(), ttl: z.literal('30m').optional() })
      .strict()
      .optional(),
    logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullable().optional(),
    moderation: z
      .object({
        model: z.string(),
        policy: z
          .object({
            input: z
              .object({ mode: z.enum(['score', 'block']) })
              .strict()
              .nullable()
              .optional(),
            output: z
              .object({ mode: z.enum(['score', 'block']) })
              .strict()
              .nullable()
              .optional(),
          })
          .strict()
          .nullable()
          .optional(),
      })
      .strict()
      .nullable()
      .optional(),
    /** Deprecated: translated to `tools` / `tool_choice`. */
    functions: z.array(LegacyFunctionSchema).min(1).optional(),
    function_call: z.union([z.enum(['none', 'auto']), z.object({ name: z.string().min(1) }).strict()]).optional(),
    // Accepted so the 400 names the field and says why (see UNSERVABLE below), instead of "unrecognized key".
    audio: z.unknown().optional(),
    modalities: z
      .array(z.enum(['text', 'audio']))
      .nullable()
      .optional(),
    web_search_options: z.unknown().optional(),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).strict().nullable().optional(),
    user: z.string().optional(),
    prompt_cache_key: z.string().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    store: z.boolean().nullable().optional(),
    /** Parsimony's extension: hints (task, tier bounds, cache); removed before the request reaches a provider. */
    parsimony: RequestHintsSchema.optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    for (const [field, why] of Object.entries(unservable(body))) ctx.addIssue({ code: 'custom', path: [field], message: why });
    if (body.functions && body.tools) ctx.addIssue({ code: 'custom', path: ['functions'], message: 'send either tools or the deprecated functions, not both' });
    if (body.top_logprobs != null && body.logprobs !== true) ctx.addIssue({ code: 'custom', path: ['top_logprobs'], message: 'top_logprobs needs logprobs: true' });
    if ((body.n ?? 1) > 1 && body.stream === true) ctx.addIssue({ code: 'custom', path: ['n'], message: 'n > 1 cannot be streamed through Parsimony: ask without stream, or for one choice' });
    const turns = body.messages.filter((m) => m.role !== 'system' && m.role !== 'developer');
    if (turns.length === 0) ctx.addIssue({ code: 'custom', path: ['messages'], message: 'messages must include at least one user, assistant or tool message' });
    // Every tool result must answer a tool call made earlier in the conversation.
    const called = new Set<string>();
    body.messages.forEach((m, i) => {
      if (m.role === 'function' && !body.messages.slice(0, i).some((a) => a.role === 'assistant' && a.function_call?.name === m.name))
        ctx.addIssue({ code: 'custom', path: ['messages', i, 'name'], message: `function message answers no earlier function_call named "${m.name}"` });
      if (m.role === 'assistant') for (const c of m.tool_calls ?? []) called.add(c.id);
      if (m.role === 'tool' && !called.has(m.tool_call_id))
        ctx.addIssue({ code: 'custom', path: ['messages', i, 'tool_call_id'], message: `tool message answers unknown tool_call_id "${m.tool_call_id}"` });
    });
  });

export type ChatCompletionBody = z.infer<typeof ChatCompletionBodySchema>;

/**
 * Fields of the current API Parsimony cannot serve: the 400 names the field
 * and says why. Audio needs an audio model and an audio answer, which no
 * lever can cache, compact or price; web search runs on OpenAI's side with
 * results Parsimony cannot see, store or replay.
 */
function unservable(body: { audio?: unknown; modalities?: ('text' | 'audio')[] | null; web_search_options?: unknown }): Record<string, string> {
  const refused: Record<string, string> = {};
  if (body.audio != null) refused.audio = 'audio output is not supported by Parsimony: it serves text answers only (ask without audio)';
  if (body.modalities?.includes('audio')) refused.modalities = 'modalities "audio" is not supported by Parsimony: it serves text answers only (use ["text"])';
  if (body.web_search_options != null)
    refused.web_search_options = 'web_search_options is not supported by Parsimony: searched answers cannot be cached or replayed faithfully (search in your app and pass the results as context)';
  return refused;
}

/**
 * Compile-time check that the schema takes every field of the installed SDK's
 * request: a field added by a newer `openai` package fails the typecheck here
 * until it is honoured, forwarded or refused above.
 */
type MissingSdkFields = Exclude<keyof ChatCompletionCreateParamsBase, keyof ChatCompletionBody>;
const everySdkFieldAccepted: [MissingSdkFields] extends [never] ? true : MissingSdkFields = true;
void everySdkFieldAccepted;
export type OpenAIMessage = z.infer<typeof OpenAIMessageSchema>;
