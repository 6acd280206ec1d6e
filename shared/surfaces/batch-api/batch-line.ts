import { ZodError } from 'zod';
import { ApiError } from '../../core/errors/api-error';
import type { ChatRequest } from '../../core/chat-model';
import { ChatCompletionBodySchema, type ChatCompletionBody } from '../chat-completions/request-schema';
import { openAIBodyToChatRequest } from '../chat-completions/to-internal';

/** The only endpoint Parsimony batches run. */
export const BATCH_ENDPOINT = '/v1/chat/completions';

/** Why an input line was refused; the code goes to the error file with the line number. */
export type LineErrorCode =
  | 'invalid_json_line'
  | 'line_too_large'
  | 'missing_custom_id'
  | 'invalid_method'
  | 'invalid_url'
  | 'invalid_body'
  | 'duplicate_custom_id';

export interface LineError {
  line: number;
  code: LineErrorCode;
  message: string;
  custom_id: string | null;
}

export interface ValidLine {
  line: number;
  custom_id: string;
  body: ChatCompletionBody;
  request: ChatRequest;
}

/**
 * Validates one JSONL line of a batch input: `{custom_id, method: "POST",
 * url: "/v1/chat/completions", body}` with an OpenAI chat body (model may be
 * "auto"). `checkModel` applies the catalog rules the producer applies to
 * any job (known model, configured provider, capabilities). Duplicate
 * custom_ids are the caller's concern (it sees every line).
 */
export function parseBatchLine(number: number, text: string, checkModel: (model: string, request: ChatRequest) => void): ValidLine | LineError {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return fail(number, 'invalid_json_line', `line ${number} is not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(number, 'invalid_json_line', `line ${number} must be a JSON object`);
  const { custom_id, method, url, body } = raw as Record<string, unknown>;
  if (typeof custom_id !== 'string' || custom_id.length === 0)
    return fail(number, 'missing_custom_id', `line ${number}: custom_id is required (a non-empty string)`);
  const id = custom_id;
  if (custom_id.length > 512) return fail(number, 'missing_custom_id', `line ${number}: custom_id is longer than 512 characters`, null);
  if (method !== 'POST') return fail(number, 'invalid_method', `line ${number}: method must be "POST"`, id);
  if (url !== BATCH_ENDPOINT) return fail(number, 'invalid_url', `line ${number}: url must be "${BATCH_ENDPOINT}", the batch's endpoint (got ${JSON.stringify(url)})`, id);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(number, 'invalid_body', `line ${number}: body must be a chat-completions request object`, id);
  try {
    const parsed = ChatCompletionBodySchema.parse(body);
    if (parsed.stream) return fail(number, 'invalid_body', `line ${number}: body.stream: batch requests cannot stream`, id);
    const request = openAIBodyToChatRequest(parsed);
    checkModel(parsed.model, request);
    return { line: number, custom_id: id, body: parsed, request };
  } catch (err) {
    if (err instanceof ZodError) {
      const issue = err.issues[0];
      return fail(number, 'invalid_body', `line ${number}: body.${issue.path.join('.') || ''}: ${issue.message}`.replace('body.:', 'body:'), id);
    }
    if (err instanceof ApiError) return fail(number, 'invalid_body', `line ${number}: ${err.message}`, id);
    throw err;
  }
}

export function isLineError(value: ValidLine | LineError): value is LineError {
  return 'code' in value;
}

function fail(line: number, code: LineErrorCode, message: string, customId: string | null = null): LineError {
  return { line, code, message, custom_id: customId };
}
