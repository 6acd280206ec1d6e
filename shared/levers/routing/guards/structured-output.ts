import type { ChatRequest, ChatResponse } from '../../../core/chat-model';
import { validateJsonSchema } from './json-schema-validator';

/** The outcome of checking an answer against what the request asked for. */
export type StructuredCheck = { ok: true } | { ok: false; reason: string };

/** Whether a request asks for machine-readable output (a JSON response format or tools), i.e. whether answers are checked. */
export function expectsStructuredOutput(request: ChatRequest): boolean {
  const format = request.response_format?.type;
  return format === 'json_schema' || format === 'json_object' || (request.tools?.length ?? 0) > 0;
}

/**
 * Checks a response against the request's contract:
 * - tool calls: the name is one of the request's tools, the arguments are
 *   JSON and match the tool's parameters schema; a call is required when
 *   tool_choice is "required" or names a tool (and must be that tool);
 * - `json_schema` response format: the content is JSON matching the schema;
 * - `json_object`: the content is a JSON object.
 * An answer that ends in tool calls is judged by its calls only. A response
 * cut by max_tokens is not judged (a bigger model would be cut too).
 */
export function checkStructuredOutput(request: ChatRequest, response: ChatResponse): StructuredCheck {
  if (response.finish_reason === 'length') return { ok: true };
  const tools = request.tools ?? [];
  const choice = request.tool_choice;
  if (response.tool_calls.length > 0) {
    if (tools.length === 0) return fail('the model called a tool but the request offers none');
    if (choice === 'none') return fail('the model called a tool although tool_choice is "none"');
    for (const call of response.tool_calls) {
      const tool = tools.find((t) => t.name === call.name);
      if (!tool) return fail(`tool call "${clip(call.name)}" is not one of the request's tools`);
      if (typeof choice === 'object' && choice.name !== call.name) return fail(`tool call "${clip(call.name)}" but tool_choice requires "${choice.name}"`);
      const args = parseJson(call.arguments === '' ? '{}' : call.arguments);
      if (!args.ok) return fail(`arguments of tool call "${call.name}" are not valid JSON`);
      const errors = validateJsonSchema(tool.parameters, args.value);
      if (errors.length) return fail(`arguments of tool call "${call.name}" do not match its parameters: ${errors.join('; ')}`);
    }
    return { ok: true };
  }
  if (tools.length > 0 && (choice === 'required' || typeof choice === 'object')) return fail('tool_choice requires a tool call, but the model answered with text');

  const format = request.response_format;
  if (format?.type !== 'json_schema' && format?.type !== 'json_object') return { ok: true };
  const parsed = parseJson(response.content ?? '');
  if (!parsed.ok) return fail(`the answer is not valid JSON (response_format ${format.type})`);
  if (format.type === 'json_object') return isPlainObject(parsed.value) ? { ok: true } : fail('the answer is JSON but not an object (response_format json_object)');
  const schema = format.json_schema.schema;
  if (!schema) return { ok: true };
  const errors = validateJsonSchema(schema, parsed.value);
  return errors.length ? fail(`the answer does not match the json_schema "${format.json_schema.name}": ${errors.join('; ')}`) : { ok: true };
}

function fail(reason: string): StructuredCheck {
  return { ok: false, reason };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keeps a model-produced name short in reasons (they are stored on the job). */
function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
