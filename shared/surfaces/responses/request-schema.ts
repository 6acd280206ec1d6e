import { z } from 'zod';
import type { ResponseCreateParamsBase } from 'openai/resources/responses/responses';
import { RequestHintsSchema } from '../../core/jobs/request-hints';
import { refuseUnsupported } from './field-policy';

/**
 * The OpenAI Responses request body (`POST /v1/responses`) as Parsimony
 * accepts it. The top level is strict and lists every field of the installed
 * SDK's `ResponseCreateParams` (checked at compile time below), so a typo is a
 * 400 but no field the SDK can send is refused for being unknown; fields
 * Parsimony cannot serve are refused by `refuseUnsupported` with a reason.
 * Items and parts are lenient (unknown keys dropped): clients echo back output
 * items with extra keys (`status`, `annotations`, `logprobs`, …).
 */

const nullish = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

const InputTextSchema = z.object({ type: z.literal('input_text'), text: z.string() });
const OutputTextSchema = z.object({ type: z.literal('output_text'), text: z.string() });
const RefusalSchema = z.object({ type: z.literal('refusal'), refusal: z.string() });
const InputImageSchema = z.object({
  type: z.literal('input_image'),
  image_url: nullish(z.string().min(1)),
  file_id: nullish(z.string()),
  detail: nullish(z.string()),
});
const InputFileSchema = z.object({ type: z.literal('input_file') }).passthrough();
export const ContentPartSchema = z.discriminatedUnion('type', [InputTextSchema, OutputTextSchema, RefusalSchema, InputImageSchema, InputFileSchema]);

export const MessageItemSchema = z.object({
  type: z.literal('message').optional(),
  id: nullish(z.string()),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(ContentPartSchema)]),
  status: nullish(z.string()),
});

export const FunctionCallItemSchema = z.object({
  type: z.literal('function_call'),
  id: nullish(z.string()),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  status: nullish(z.string()),
});

export const FunctionCallOutputItemSchema = z.object({
  type: z.literal('function_call_output'),
  id: nullish(z.string()),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(ContentPartSchema)]),
  status: nullish(z.string()),
});

export const ReasoningItemSchema = z.object({
  type: z.literal('reasoning'),
  id: nullish(z.string()),
  summary: z.array(z.object({ type: z.string().optional(), text: z.string() })).default([]),
  content: nullish(z.array(z.object({ type: z.string().optional(), text: z.string() }))),
  encrypted_content: nullish(z.string()),
  status: nullish(z.string()),
});

/** Item types Parsimony cannot take as input: their `type` is named in the 400 by refuseUnsupported. */
const OtherItemSchema = z.object({ type: z.string() }).passthrough();

export const InputItemSchema = z.union([MessageItemSchema, FunctionCallItemSchema, FunctionCallOutputItemSchema, ReasoningItemSchema, OtherItemSchema]);

export const FunctionToolSchema = z.object({
  type: z.literal('function'),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'tool names are 1-64 letters, digits, _ or -'),
  description: nullish(z.string()),
  parameters: nullish(z.record(z.string(), z.unknown())),
  strict: nullish(z.boolean()),
  defer_loading: nullish(z.boolean()),
});
const OtherToolSchema = z.object({ type: z.string() }).passthrough();
const ToolSchema = z.union([FunctionToolSchema, OtherToolSchema]);

const ToolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), name: z.string().min(1) }),
  z.object({
    type: z.literal('allowed_tools'),
    mode: z.enum(['auto', 'required']),
    tools: z.array(z.object({ type: z.string(), name: z.string().optional() }).passthrough()),
  }),
  z.object({ type: z.string() }).passthrough(),
]);

const TextFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    name: z.string().min(1),
    schema: z.record(z.string(), z.unknown()),
    strict: nullish(z.boolean()),
    description: z.string().optional(),
  }),
]);

export const ResponsesBodySchema = z
  .object({
    background: nullish(z.boolean()),
    context_management: nullish(z.array(z.object({ type: z.string(), compact_threshold: nullish(z.number()) }))),
    conversation: nullish(z.union([z.string(), z.object({ id: z.string() })])),
    include: nullish(z.array(z.string())),
    input: z.union([z.string(), z.array(InputItemSchema)]).optional(),
    instructions: nullish(z.string()),
    max_output_tokens: nullish(z.number().int().positive()),
    metadata: nullish(z.record(z.string(), z.string())),
    model: z.string().min(1, 'model is required: a catalog model id or "auto"'),
    moderation: nullish(z.object({ model: z.string() }).passthrough()),
    parallel_tool_calls: nullish(z.boolean()),
    previous_response_id: nullish(z.string().min(1)),
    prompt: nullish(z.object({ id: z.string() }).passthrough()),
    prompt_cache_key: nullish(z.string()),
    prompt_cache_options: z
      .object({ mode: z.enum(['implicit', 'explicit']).optional() })
      .passthrough()
      .optional(),
    prompt_cache_retention: nullish(z.enum(['in_memory', '24h'])),
    reasoning: nullish(
      z.object({
        context: nullish(z.enum(['auto', 'current_turn', 'all_turns'])),
        effort: nullish(z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'])),
        generate_summary: nullish(z.enum(['auto', 'concise', 'detailed'])),
        mode: z.string().optional(),
        summary: nullish(z.enum(['auto', 'concise', 'detailed'])),
      }),
    ),
    safety_identifier: nullish(z.string()),
    service_tier: nullish(z.enum(['auto', 'default', 'flex', 'scale', 'priority'])),
    store: nullish(z.boolean()),
    stream: nullish(z.boolean()),
    stream_options: nullish(z.object({ include_obfuscation: z.boolean().optional() })),
    temperature: nullish(z.number().min(0).max(2)),
    text: z.object({ format: TextFormatSchema.optional(), verbosity: nullish(z.enum(['low', 'medium', 'high'])) }).optional(),
    tool_choice: ToolChoiceSchema.optional(),
    tools: z.array(ToolSchema).optional(),
    top_logprobs: nullish(z.number().int().min(0).max(20)),
    top_p: nullish(z.number().min(0).max(1)),
    truncation: nullish(z.enum(['auto', 'disabled'])),
    user: z.string().optional(),
    /** Parsimony's extension: hints (task, tier bounds, cache); never sent to a provider. */
    parsimony: RequestHintsSchema.optional(),
  })
  .strict()
  .superRefine(refuseUnsupported);

export type ResponsesBody = z.infer<typeof ResponsesBodySchema>;
export type InputItem = z.infer<typeof InputItemSchema>;
export type MessageItem = z.infer<typeof MessageItemSchema>;
export type ContentPart = z.infer<typeof ContentPartSchema>;

// Compile-time check: every field of the installed SDK's ResponseCreateParams has a place in the schema, so an
// SDK upgrade that adds a field fails `tsc` here instead of a client's request failing with "unrecognized key".
type MissingFromSchema = Exclude<keyof ResponseCreateParamsBase, keyof ResponsesBody>;
const schemaCoversSdk: [MissingFromSchema] extends [never] ? true : MissingFromSchema = true;
void schemaCoversSdk;
