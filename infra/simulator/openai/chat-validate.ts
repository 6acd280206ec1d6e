import { type SimError, invalidParam } from '../errors';
import { modelLimits } from '../model-limits';

/**
 * Request validation with OpenAI's own messages, params and codes, so a
 * malformed request fails here exactly as it would against the real API.
 * Hand-written rather than zod because the error wording is the contract.
 */

const KNOWN_PARAMS = new Set([
  'model',
  'messages',
  'audio',
  'frequency_penalty',
  'function_call',
  'functions',
  'logit_bias',
  'logprobs',
  'max_completion_tokens',
  'max_tokens',
  'metadata',
  'modalities',
  'n',
  'parallel_tool_calls',
  'prediction',
  'presence_penalty',
  'prompt_cache_key',
  'prompt_cache_retention',
  'reasoning_effort',
  'response_format',
  'safety_identifier',
  'seed',
  'service_tier',
  'stop',
  'store',
  'stream',
  'stream_options',
  'temperature',
  'tool_choice',
  'tools',
  'top_logprobs',
  'top_p',
  'user',
  'verbosity',
  'web_search_options',
]);
const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
// 'annotations' is accepted because clients push the returned message object back unchanged.
const MESSAGE_KEYS = new Set(['role', 'content', 'name', 'tool_calls', 'tool_call_id', 'refusal', 'audio', 'function_call', 'annotations']);
const PART_KEYS = new Set(['type', 'text', 'image_url', 'input_audio', 'file', 'refusal']);
const TOOL_KEYS = new Set(['type', 'function', 'custom']);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw JSON from the wire
export type ChatBody = Record<string, any>;

export function validateChatBody(body: unknown): ChatBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidParam('Invalid request body: expected a JSON object.');
  const b = body as ChatBody;
  for (const key of Object.keys(b)) if (!KNOWN_PARAMS.has(key)) throw invalidParam(`Unrecognized request argument supplied: ${key}`);
  if (b.model === undefined || b.model === null || b.model === '') throw invalidParam('you must provide a model parameter');
  if (typeof b.model !== 'string') throw invalidParam(`Invalid type for 'model': expected a string, but got ${typeName(b.model)} instead.`, 'model', 'invalid_type');
  if (b.messages === undefined) throw invalidParam("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  if (!Array.isArray(b.messages)) throw invalidParam(`Invalid type for 'messages': expected an array of objects, but got ${typeName(b.messages)} instead.`, 'messages', 'invalid_type');
  if (b.messages.length === 0) throw invalidParam("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');

  validateMessages(b.messages);
  range(b, 'temperature', 0, 2);
  range(b, 'top_p', 0, 1);
  range(b, 'presence_penalty', -2, 2);
  range(b, 'frequency_penalty', -2, 2);
  range(b, 'n', 1, 128, true);
  range(b, 'max_tokens', 1, Number.MAX_SAFE_INTEGER, true);
  range(b, 'max_completion_tokens', 1, Number.MAX_SAFE_INTEGER, true);
  if (b.stream_options != null && !b.stream) throw invalidParam("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
  if (b.stop != null && Array.isArray(b.stop) && b.stop.length > 4)
    throw invalidParam(`Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length ${b.stop.length} instead.`, 'stop', 'array_above_max_length');
  validateTools(b);
  validateResponseFormat(b);

  const limits = modelLimits(b.model);
  const maxOut = b.max_completion_tokens ?? b.max_tokens;
  if (limits && typeof maxOut === 'number' && maxOut > limits.maxOutputTokens) {
    const param = b.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
    throw invalidParam(`${param} is too large: ${maxOut}. This model supports at most ${limits.maxOutputTokens} completion tokens, whereas you provided ${maxOut}.`, param, 'invalid_value');
  }
  return b;
}

/** Context-window check, done once the prompt has been counted. */
export function checkContextWindow(model: string, promptTokens: number, maxOut: number | undefined): void {
  const limits = modelLimits(model);
  if (!limits) return;
  if (promptTokens + (maxOut ?? 0) > limits.contextWindow)
    throw invalidParam(
      `This model's maximum context length is ${limits.contextWindow} tokens. However, your messages resulted in ${promptTokens} tokens. Please reduce the length of the messages.`,
      'messages',
      'context_length_exceeded',
    );
}

function validateMessages(messages: unknown[]): void {
  const pending = new Set<string>();
  let pendingFrom = -1;
  messages.forEach((raw, i) => {
    if (typeof raw !== 'object' || raw === null) throw invalidParam(`Invalid type for 'messages[${i}]': expected an object, but got ${typeName(raw)} instead.`, `messages[${i}]`, 'invalid_type');
    const m = raw as ChatBody;
    unexpectedKeys(m, MESSAGE_KEYS, `messages.${i}`);
    if (Array.isArray(m.content)) m.content.forEach((part: ChatBody, j: number) => part && typeof part === 'object' && unexpectedKeys(part, PART_KEYS, `messages.${i}.content.${j}`));
    if (m.role === undefined) throw invalidParam(`Missing required parameter: 'messages[${i}].role'.`, `messages[${i}].role`, 'missing_required_parameter');
    if (!ROLES.has(m.role))
      throw invalidParam(`Invalid value: '${m.role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, `messages[${i}].role`, 'invalid_value');
    if (m.role !== 'tool' && pending.size > 0) throw unansweredToolCalls(pendingFrom, pending);
    if (m.role === 'tool') {
      if (typeof m.tool_call_id !== 'string') throw invalidParam(`Missing required parameter: 'messages[${i}].tool_call_id'.`, `messages[${i}].tool_call_id`, 'missing_required_parameter');
      if (!pending.has(m.tool_call_id)) throw invalidParam("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", `messages.[${i}].role`);
      pending.delete(m.tool_call_id);
    }
    if (m.role === 'assistant') {
      const calls = Array.isArray(m.tool_calls) ? m.tool_calls : [];
      if ((m.content === undefined || m.content === null) && calls.length === 0 && m.function_call == null)
        throw invalidParam(`Invalid value for 'content': expected a string, got null.`, `messages.[${i}].content`);
      for (const c of calls) if (c && typeof c.id === 'string') pending.add(c.id);
      if (calls.length) pendingFrom = i;
    } else if (m.role !== 'tool' && (m.content === undefined || m.content === null)) {
      throw invalidParam(`Missing required parameter: 'messages[${i}].content'.`, `messages[${i}].content`, 'missing_required_parameter');
    }
    if (Array.isArray(m.content) && m.content.length === 0 && m.role === 'user')
      throw invalidParam(`Invalid 'messages[${i}].content': empty array. Expected an array with minimum length 1, but got an empty array instead.`, `messages[${i}].content`, 'empty_array');
  });
  if (pending.size > 0) throw unansweredToolCalls(pendingFrom, pending);
}

function unansweredToolCalls(index: number, ids: Set<string>): SimError {
  return invalidParam(
    `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...ids].join(', ')}`,
    `messages.[${index}].role`,
  );
}

function validateTools(b: ChatBody): void {
  if (b.tools != null) {
    if (!Array.isArray(b.tools)) throw invalidParam(`Invalid type for 'tools': expected an array of objects, but got ${typeName(b.tools)} instead.`, 'tools', 'invalid_type');
    b.tools.forEach((t: ChatBody, i: number) => {
      if (t && typeof t === 'object') unexpectedKeys(t, TOOL_KEYS, `tools.${i}`);
      if (t?.type !== 'function' && t?.type !== 'custom') throw invalidParam(`Missing required parameter: 'tools[${i}].type'.`, `tools[${i}].type`, 'missing_required_parameter');
      const name = t.type === 'function' ? t.function?.name : t.custom?.name;
      if (typeof name !== 'string') throw invalidParam(`Missing required parameter: 'tools[${i}].function.name'.`, `tools[${i}].function.name`, 'missing_required_parameter');
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name))
        throw invalidParam(
          `Invalid 'tools[${i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
          `tools[${i}].function.name`,
          'invalid_value',
        );
    });
  }
  const choice = b.tool_choice;
  if (choice == null) return;
  if (!b.tools?.length) throw invalidParam("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", 'tool_choice');
  if (typeof choice === 'string') {
    if (!['none', 'auto', 'required'].includes(choice)) throw invalidParam(`Invalid value: '${choice}'. Supported values are: 'none', 'auto', and 'required'.`, 'tool_choice', 'invalid_value');
    return;
  }
  const name = choice?.function?.name;
  if (typeof name !== 'string') throw invalidParam("Missing required parameter: 'tool_choice.function.name'.", 'tool_choice.function.name', 'missing_required_parameter');
  if (!b.tools.some((t: ChatBody) => t.function?.name === name)) throw invalidParam(`Invalid value for 'tool_choice': function '${name}' not found in 'tools'.`, 'tool_choice');
}

function validateResponseFormat(b: ChatBody): void {
  const rf = b.response_format;
  if (rf == null) return;
  if (!['text', 'json_object', 'json_schema'].includes(rf.type))
    throw invalidParam(`Invalid value: '${rf.type}'. Supported values are: 'json_object', 'json_schema', and 'text'.`, 'response_format.type', 'invalid_value');
  if (rf.type === 'json_schema' && typeof rf.json_schema?.name !== 'string')
    throw invalidParam("Missing required parameter: 'response_format.json_schema.name'.", 'response_format.json_schema.name', 'missing_required_parameter');
  if (rf.type === 'json_object') {
    const mentionsJson = b.messages.some((m: ChatBody) => /json/i.test(typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '')));
    if (!mentionsJson) throw invalidParam("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", 'messages');
  }
}

function range(b: ChatBody, name: string, min: number, max: number, integer = false): void {
  const v = b[name];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || (integer && !Number.isInteger(v)))
    throw invalidParam(`Invalid type for '${name}': expected ${integer ? 'an integer' : 'a number'}, but got ${typeName(v)} instead.`, name, 'invalid_type');
  const kind = integer ? 'integer' : 'decimal';
  if (v < min) throw invalidParam(`Invalid '${name}': ${kind} below minimum value. Expected a value >= ${min}, but got ${v} instead.`, name, `${kind}_below_min_value`);
  if (v > max) throw invalidParam(`Invalid '${name}': ${kind} above maximum value. Expected a value <= ${max}, but got ${v} instead.`, name, `${kind}_above_max_value`);
}

/** OpenAI validates nested objects strictly too (e.g. an Anthropic-style cache_control on a content part). */
function unexpectedKeys(value: ChatBody, allowed: Set<string>, path: string): void {
  for (const key of Object.keys(value)) if (!allowed.has(key)) throw invalidParam(`Additional properties are not allowed ('${key}' was unexpected) - '${path}'`, path.replace(/\.(\d+)/g, '[$1]'));
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
