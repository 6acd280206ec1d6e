import { ZodError } from 'zod';
import { ApiError } from '../../core/errors/api-error';
import type { ChatRequest } from '../../core/chat-model';
import type { JobOptions } from '../../core/jobs/job-record';
import { SURFACE_DEFINITIONS, surfaceForPath } from '../registry';

/** The default endpoint of a batch; any surface's path is accepted (one endpoint per batch, as on OpenAI). */
export const BATCH_ENDPOINT = '/v1/chat/completions';

/** The endpoints a batch may run: every registered surface's path. */
export function batchEndpoints(): string[] {
  return Object.values(SURFACE_DEFINITIONS).flatMap((d) => (d ? [d.path] : []));
}

/** Why an input line was refused; the code goes to the error file with the line number. */
export type LineErrorCode = 'invalid_json_line' | 'line_too_large' | 'missing_custom_id' | 'invalid_method' | 'invalid_url' | 'invalid_body' | 'duplicate_custom_id';

export interface LineError {
  line: number;
  code: LineErrorCode;
  message: string;
  custom_id: string | null;
}

export interface ValidLine {
  line: number;
  custom_id: string;
  /** What the job needs of the line's body: its model, metadata and Parsimony hints. */
  body: { model: string; metadata?: Record<string, unknown>; parsimony?: Partial<JobOptions> };
  request: ChatRequest;
  /** The job options of the line's surface (its wire format and what its answer echoes), so output lines are in that format. */
  options: Pick<JobOptions, 'surface' | 'surface_echo'>;
}

/**
 * Validates one JSONL line of a batch input: `{custom_id, method: "POST",
 * url, body}` where url is the batch's endpoint (`/v1/chat/completions`,
 * `/v1/responses`, `/v1/messages`, `/v1/embeddings`: any registered surface)
 * and body a request of that surface (model may be "auto"). `checkModel` applies the catalog rules the producer applies to
 * any job (known model, configured provider, capabilities). Duplicate
 * custom_ids are the caller's concern (it sees every line).
 */
export async function parseBatchLine(
  number: number,
  text: string,
  checkModel: (model: string, request: ChatRequest) => void,
  endpoint: string = BATCH_ENDPOINT,
  tenant = '',
): Promise<ValidLine | LineError> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return fail(number, 'invalid_json_line', `line ${number} is not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(number, 'invalid_json_line', `line ${number} must be a JSON object`);
  const { custom_id, method, url, body } = raw as Record<string, unknown>;
  if (typeof custom_id !== 'string' || custom_id.length === 0) return fail(number, 'missing_custom_id', `line ${number}: custom_id is required (a non-empty string)`);
  const id = custom_id;
  if (custom_id.length > 512) return fail(number, 'missing_custom_id', `line ${number}: custom_id is longer than 512 characters`, null);
  if (method !== 'POST') return fail(number, 'invalid_method', `line ${number}: method must be "POST"`, id);
  if (url !== endpoint) return fail(number, 'invalid_url', `line ${number}: url must be "${endpoint}", the batch's endpoint (got ${JSON.stringify(url)})`, id);
  const surface = surfaceForPath(endpoint);
  if (!surface) return fail(number, 'invalid_url', `line ${number}: "${endpoint}" is not an endpoint Parsimony batches run`, id);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(number, 'invalid_body', `line ${number}: body must be a request object of ${endpoint}`, id);
  try {
    // No stored conversations here: a line with previous_response_id is refused with a 400 that says so.
    const parsed = await surface.parse(body, { tenant });
    if (parsed.stream) return fail(number, 'invalid_body', `line ${number}: body.stream: batch requests cannot stream`, id);
    checkModel(parsed.requestedModel, parsed.request);
    return {
      line: number,
      custom_id: id,
      body: { model: parsed.requestedModel, metadata: parsed.metadata, parsimony: parsed.hints },
      request: parsed.request,
      options: { surface: surface.surface, ...(parsed.echo ? { surface_echo: parsed.echo } : {}) },
    };
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
