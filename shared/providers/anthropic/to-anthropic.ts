import type { ModelEntry } from '../../core/catalog/catalog';
import type { ChatMessage, ChatRequest, ContentPart, ResponseFormat, TextPart, ToolCall, ToolChoice } from '../../core/chat-model';
import { reasoningBlocks, reasoningToThinking } from './thinking';
import type { AnthropicMessageParam, AnthropicRequestParams, AnthropicTool, AnthropicToolChoice, ContentBlockParam, ImageBlockParam, TextBlockParam, ToolResultBlockParam } from './wire-types';

/**
 * Maps the provider-neutral request into Anthropic Messages API parameters.
 *
 * Choices that are not one-to-one (each documented where it is made):
 * - `max_tokens` is required by Anthropic; when the caller set none it is
 *   `min(model.max_output_tokens, DEFAULT_ANTHROPIC_MAX_TOKENS)`.
 * - `seed`, `presence_penalty`, `frequency_penalty` and `prompt_cache_key`
 *   have no Anthropic equivalent and are dropped; `user` becomes
 *   `metadata.user_id`.
 * - `temperature` and `top_p`: the current Claude models reject both at once,
 *   so when both are set only `temperature` is sent.
 * - `response_format` json_object / json_schema becomes a short extra system
 *   block asking for JSON (see `jsonInstruction`), appended after the
 *   caller's system blocks so their cache prefix is unchanged.
 * - Tool call arguments (a JSON string) become the `input` object; arguments
 *   that are not a JSON object are kept as `{ "_raw": "<arguments>" }` rather
 *   than lost, and empty arguments become `{}`.
 * - Tool results become `tool_result` blocks in a user turn; consecutive turns
 *   of one role merge (Anthropic wants alternating roles) and, inside a user
 *   turn, tool results come before other blocks as Anthropic requires.
 * - Empty text blocks are dropped (Anthropic rejects them), and so is a turn
 *   left with no blocks.
 * - `reasoning` becomes `thinking` / `output_config.effort` (see thinking.ts);
 *   an assistant turn's reasoning parts go first in the turn as thinking /
 *   redacted_thinking blocks, Anthropic's own only (other providers' are
 *   dropped: Anthropic cannot verify them).
 * - `service_tier`: auto and priority → "auto", every other tier →
 *   "standard_only"; `context_management` is sent as it is.
 * - `provider_options.anthropic` is spread last: the caller's own Anthropic
 *   fields (thinking, output_config, top_k, container, …) win over mapped
 *   ones, and a native `output_config.format` / `output_format` replaces the
 *   JSON instruction.
 */

/** Output cap used when the request sets no `max_tokens` (Anthropic requires one). */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/** The key under which tool-call arguments that are not a JSON object are kept. */
export const RAW_ARGUMENTS_KEY = '_raw';

export interface AnthropicMappingOptions {
  /**
   * Send `temperature` / `top_p`. Default true. SDK 1.x (API version
   * 2026-10-21) no longer declares them; set false if the API rejects them.
   */
  sendSampling?: boolean;
}

type TargetModel = Pick<ModelEntry, 'id' | 'provider_model' | 'max_output_tokens'> & Partial<Pick<ModelEntry, 'reasoning'>>;

export function chatRequestToAnthropicParams(request: ChatRequest, model: TargetModel, options: AnthropicMappingOptions = {}): AnthropicRequestParams {
  const s = request.sampling;
  const params: AnthropicRequestParams = {
    model: model.provider_model ?? model.id,
    max_tokens: s.max_tokens ?? Math.min(model.max_output_tokens, DEFAULT_ANTHROPIC_MAX_TOKENS),
    messages: messagesToAnthropic(request.messages),
  };
  const native = request.provider_options?.anthropic ?? {};
  const nativeFormat = (native.output_config as { format?: unknown } | undefined)?.format ?? native.output_format;
  const system = systemBlocks(request.system, nativeFormat ? undefined : request.response_format);
  if (system.length) params.system = system;
  if (request.tools?.length) params.tools = request.tools.map(toolToAnthropic);
  if (request.tool_choice !== undefined) params.tool_choice = toolChoiceToAnthropic(request.tool_choice);
  if (s.stop?.length) params.stop_sequences = s.stop;
  if (options.sendSampling ?? true) {
    if (s.temperature !== undefined) params.temperature = s.temperature;
    else if (s.top_p !== undefined) params.top_p = s.top_p;
  }
  if (request.user) params.metadata = { user_id: request.user };
  if (request.parallel_tool_calls === false && params.tools && params.tool_choice?.type !== 'none')
    params.tool_choice = { ...(params.tool_choice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  if (request.service_tier) params.service_tier = request.service_tier === 'auto' || request.service_tier === 'priority' ? 'auto' : 'standard_only';
  if (request.context_management) (params as Record<string, unknown>).context_management = request.context_management;
  // The caller's own thinking / output_config.effort (forwarded below) decide; an effort is not mapped over them.
  const nativeEffort = (native.output_config as { effort?: unknown } | undefined)?.effort;
  const reasoning = native.thinking || nativeEffort ? { budget_tokens: native.thinking ? undefined : request.reasoning?.budget_tokens } : request.reasoning;
  Object.assign(params, reasoningToThinking(reasoning, params.max_tokens, model));
  Object.assign(params, native);
  return params;
}

function systemBlocks(system: TextPart[], format: ResponseFormat | undefined): TextBlockParam[] {
  const blocks = system.filter((p) => p.text.length > 0).map(textBlock);
  const instruction = format ? jsonInstruction(format) : undefined;
  if (instruction) blocks.push({ type: 'text', text: instruction });
  return blocks;
}

/**
 * The system instruction standing in for OpenAI's `response_format`. Anthropic
 * has no `response_format`; a plain instruction works on every Claude model
 * (SDK 1.x also has `output_config.format`, which this mapping does not use).
 */
export function jsonInstruction(format: ResponseFormat): string | undefined {
  if (format.type === 'json_object') return 'Respond with a single valid JSON object and nothing else: no prose, no Markdown code fences.';
  if (format.type !== 'json_schema') return undefined;
  const { name, description, schema } = format.json_schema;
  const about = description ? ` (${description})` : '';
  if (!schema) return `Respond with a single valid JSON object "${name}"${about} and nothing else: no prose, no Markdown code fences.`;
  return `Respond with a single valid JSON value "${name}"${about} that matches this JSON Schema, and nothing else: no prose, no Markdown code fences.\nJSON Schema: ${JSON.stringify(schema)}`;
}

function messagesToAnthropic(messages: ChatMessage[]): AnthropicMessageParam[] {
  const out: { role: 'user' | 'assistant'; content: ContentBlockParam[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlockParam[]) => {
    if (!blocks.length) return;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (m.role === 'user') push('user', partsToBlocks(m.content));
    else if (m.role === 'assistant') push('assistant', [...reasoningBlocks(m.reasoning), ...partsToBlocks(m.content), ...(m.tool_calls ?? []).map(toolUseBlock)]);
    else {
      const block: ToolResultBlockParam = { type: 'tool_result', tool_use_id: m.tool_call_id };
      if (m.content.length) block.content = m.content;
      if (m.is_error) block.is_error = true;
      if (m.cache_control) block.cache_control = m.cache_control;
      push('user', [block]);
    }
  }
  for (const m of out) if (m.role === 'user') m.content = toolResultsFirst(m.content);
  return out;
}

/** Stable reorder: Anthropic rejects a user turn with text before its tool_result blocks. */
function toolResultsFirst(blocks: ContentBlockParam[]): ContentBlockParam[] {
  return [...blocks.filter((b) => b.type === 'tool_result'), ...blocks.filter((b) => b.type !== 'tool_result')];
}

function partsToBlocks(parts: ContentPart[]): ContentBlockParam[] {
  const blocks: ContentBlockParam[] = [];
  for (const p of parts) {
    if (p.type === 'text') {
      if (p.text.length) blocks.push(textBlock(p));
    } else blocks.push(imageBlock(p.url));
  }
  return blocks;
}

function textBlock(part: TextPart): TextBlockParam {
  const block: TextBlockParam = { type: 'text', text: part.text };
  if (part.cache_control) block.cache_control = { ...part.cache_control };
  return block;
}

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*?)(;base64)?,(.*)$/is;

/** http(s) URLs stay URLs; data: URLs become a base64 source (percent-encoded ones are re-encoded). */
export function imageBlock(url: string): ImageBlockParam {
  const match = DATA_URL.exec(url);
  if (!match) return { type: 'image', source: { type: 'url', url } };
  const [, mediaType, , base64, payload] = match;
  const data = base64 ? payload.replace(/\s+/g, '') : percentDecode(payload).toString('base64');
  // Anthropic accepts jpeg/png/gif/webp; anything else is passed on for the API to reject with its own message.
  return { type: 'image', source: { type: 'base64', media_type: (mediaType || 'image/png') as 'image/png', data } };
}

function percentDecode(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && /^[0-9a-f]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i], 'utf8'));
  }
  return Buffer.from(bytes);
}

function toolUseBlock(call: ToolCall): ContentBlockParam {
  return { type: 'tool_use', id: call.id, name: call.name, input: argumentsToInput(call.arguments) };
}

/** Parses tool-call arguments into the `input` object Anthropic requires, never dropping what the model wrote. */
export function argumentsToInput(args: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(args);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Invalid JSON (e.g. a truncated call): kept verbatim below.
  }
  return { [RAW_ARGUMENTS_KEY]: args };
}

function toolToAnthropic(tool: NonNullable<ChatRequest['tools']>[number]): AnthropicTool {
  const out: AnthropicTool = {
    name: tool.name,
    // Anthropic requires an object schema; OpenAI tolerates a schema without `type`.
    input_schema: { type: 'object', ...tool.parameters } as AnthropicTool['input_schema'],
  };
  if (tool.description !== undefined) out.description = tool.description;
  if (tool.cache_control) out.cache_control = { ...tool.cache_control };
  return out;
}

export function toolChoiceToAnthropic(choice: ToolChoice): AnthropicToolChoice {
  switch (choice) {
    case 'auto':
      return { type: 'auto' };
    case 'required':
      return { type: 'any' };
    case 'none':
      return { type: 'none' };
    default:
      return { type: 'tool', name: choice.name };
  }
}
