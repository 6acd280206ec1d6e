import { invalidParam } from '../errors';
import type { ChatBody } from './chat-validate';

/**
 * Validation of a Responses request as the real API does it (its messages,
 * params and codes), and the conversation it holds as chat-style messages,
 * so the simulated model sees the same prompt either way.
 */

// The fields of ResponseCreateParams (openai 6.49); anything else is an "Unrecognized request argument".
const KNOWN_PARAMS = new Set([
  'background',
  'context_management',
  'conversation',
  'include',
  'input',
  'instructions',
  'max_output_tokens',
  'metadata',
  'model',
  'moderation',
  'parallel_tool_calls',
  'previous_response_id',
  'prompt',
  'prompt_cache_key',
  'prompt_cache_options',
  'prompt_cache_retention',
  'reasoning',
  'safety_identifier',
  'service_tier',
  'store',
  'stream',
  'stream_options',
  'temperature',
  'text',
  'tool_choice',
  'tools',
  'top_logprobs',
  'top_p',
  'truncation',
  'user',
]);
const ITEM_TYPES = new Set(['message', 'function_call', 'function_call_output', 'reasoning', 'item_reference']);

export function validateResponsesBody(body: unknown): ChatBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidParam('Invalid request body: expected a JSON object.');
  const b = body as ChatBody;
  for (const key of Object.keys(b)) if (!KNOWN_PARAMS.has(key)) throw invalidParam(`Unknown parameter: '${key}'.`, key, 'unknown_parameter');
  if (typeof b.model !== 'string' || !b.model) throw invalidParam("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  if (b.input !== undefined && typeof b.input !== 'string' && !Array.isArray(b.input))
    throw invalidParam("Invalid type for 'input': expected one of a string or an array of input items.", 'input', 'invalid_type');
  if (b.temperature != null && (typeof b.temperature !== 'number' || b.temperature < 0 || b.temperature > 2))
    throw invalidParam(`Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got ${b.temperature} instead.`, 'temperature', 'decimal_above_max_value');
  if (b.max_output_tokens != null && (!Number.isInteger(b.max_output_tokens) || b.max_output_tokens < 16))
    throw invalidParam(`Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got ${b.max_output_tokens} instead.`, 'max_output_tokens', 'integer_below_min_value');
  (Array.isArray(b.input) ? b.input : []).forEach((item: ChatBody, i: number) => {
    const type = item?.type ?? (item?.role ? 'message' : undefined);
    if (!type || !ITEM_TYPES.has(type))
      throw invalidParam(`Invalid value: '${String(item?.type)}'. Supported values are: ${[...ITEM_TYPES].map((t) => `'${t}'`).join(', ')}.`, `input[${i}].type`, 'invalid_value');
    if (type === 'function_call_output' && typeof item.call_id !== 'string')
      throw invalidParam(`Missing required parameter: 'input[${i}].call_id'.`, `input[${i}].call_id`, 'missing_required_parameter');
  });
  (Array.isArray(b.tools) ? b.tools : []).forEach((tool: ChatBody, i: number) => {
    if (tool?.type === 'function' && typeof tool.name !== 'string') throw invalidParam(`Missing required parameter: 'tools[${i}].name'.`, `tools[${i}].name`, 'missing_required_parameter');
    // The simulated model has no hosted tools to run; say so the way the API names a parameter.
    if (tool?.type !== 'function') throw invalidParam(`The simulator does not run hosted tools ('${String(tool?.type)}').`, `tools[${i}].type`, 'invalid_value');
  });
  return b;
}

/** The conversation (earlier items first) as chat-completions messages, with the tools and format in chat shape. */
export function responsesToChat(body: ChatBody, history: ChatBody[]): ChatBody {
  const items: ChatBody[] = [...history, ...(typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: body.input }] : (body.input ?? []))];
  const messages: ChatBody[] = [];
  if (typeof body.instructions === 'string' && body.instructions) messages.push({ role: 'system', content: body.instructions });
  let assistant: ChatBody | undefined;
  for (const item of items) {
    const type = item.type ?? 'message';
    if (type === 'message') {
      const content = typeof item.content === 'string' ? item.content : (item.content ?? []).map(partToChat);
      if (item.role === 'assistant') {
        const text = typeof content === 'string' ? content : content.map((p: ChatBody) => p.text ?? '').join('');
        assistant = { role: 'assistant', content: text };
        messages.push(assistant);
      } else {
        assistant = undefined;
        messages.push({ role: item.role, content });
      }
    } else if (type === 'function_call') {
      if (!assistant) messages.push((assistant = { role: 'assistant', content: null }));
      (assistant.tool_calls ??= []).push({ id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } });
    } else if (type === 'function_call_output') {
      assistant = undefined;
      messages.push({ role: 'tool', tool_call_id: item.call_id, content: typeof item.output === 'string' ? item.output : JSON.stringify(item.output) });
    }
  }
  const format = body.text?.format;
  return {
    model: body.model,
    messages,
    tools: (body.tools ?? []).map((t: ChatBody) => ({ type: 'function', function: { name: t.name, description: t.description ?? undefined, parameters: t.parameters ?? undefined } })),
    tool_choice: typeof body.tool_choice === 'object' && body.tool_choice?.type === 'function' ? { type: 'function', function: { name: body.tool_choice.name } } : body.tool_choice,
    response_format:
      format?.type === 'json_schema' ? { type: 'json_schema', json_schema: { name: format.name, schema: format.schema } } : format?.type === 'json_object' ? { type: 'json_object' } : undefined,
    max_completion_tokens: body.max_output_tokens ?? undefined,
    prompt_cache_key: body.prompt_cache_key ?? undefined,
    prompt_cache_retention: body.prompt_cache_retention ?? undefined,
  };
}

function partToChat(part: ChatBody): ChatBody {
  if (part?.type === 'input_image') return { type: 'image_url', image_url: { url: part.image_url ?? '' } };
  return { type: 'text', text: part?.text ?? part?.refusal ?? '' };
}
