import { fileLines, type StoredFile } from './file-store';

/**
 * Validation of a batch input file, with the per-line error objects OpenAI
 * puts in `batch.errors.data` when a batch fails validation.
 */

export interface BatchLine {
  custom_id: string;
  body: Record<string, unknown>;
  line: number;
}

export interface BatchInputError {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

export const MAX_BATCH_REQUESTS = 50_000;
const MAX_REPORTED_ERRORS = 100;

export function parseBatchInput(file: StoredFile, endpoint: string): { lines: BatchLine[]; errors: BatchInputError[]; model?: string } {
  const lines: BatchLine[] = [];
  const errors: BatchInputError[] = [];
  const seen = new Set<string>();
  let model: string | undefined;
  const fail = (e: BatchInputError) => {
    if (errors.length < MAX_REPORTED_ERRORS) errors.push(e);
  };
  for (const { line, number } of fileLines(file.chunks)) {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line);
    } catch {
      fail({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null, line: number });
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      fail({ code: 'invalid_json_line', message: 'This line is not a JSON object.', param: null, line: number });
      continue;
    }
    const customId = parsed.custom_id;
    if (typeof customId !== 'string' || !customId) {
      fail({ code: 'missing_required_parameter', message: "Missing required parameter: 'custom_id'.", param: 'custom_id', line: number });
      continue;
    }
    if (seen.has(customId)) {
      fail({ code: 'duplicate_custom_id', message: `The custom_id '${customId}' is used more than once in this batch. custom_id values must be unique.`, param: 'custom_id', line: number });
      continue;
    }
    seen.add(customId);
    if (parsed.method !== 'POST') {
      fail({ code: 'invalid_value', message: `Invalid value for 'method': expected 'POST', got '${String(parsed.method)}'.`, param: 'method', line: number });
      continue;
    }
    if (parsed.url !== endpoint) {
      fail({ code: 'mismatched_endpoint', message: `The provided URL '${String(parsed.url)}' does not match the batch endpoint '${endpoint}'.`, param: 'url', line: number });
      continue;
    }
    const body = parsed.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      fail({ code: 'missing_required_parameter', message: "Missing required parameter: 'body'.", param: 'body', line: number });
      continue;
    }
    const lineModel = (body as Record<string, unknown>).model;
    if (typeof lineModel === 'string') {
      if (model === undefined) model = lineModel;
      else if (lineModel !== model) {
        fail({
          code: 'model_mismatch',
          message: `The model '${lineModel}' does not match the model '${model}' used by earlier requests. All requests in a batch must use the same model.`,
          param: 'body.model',
          line: number,
        });
        continue;
      }
    }
    lines.push({ custom_id: customId, body: body as Record<string, unknown>, line: number });
  }
  if (lines.length === 0 && errors.length === 0) errors.push({ code: 'empty_file', message: 'The batch input file is empty.', param: null, line: null });
  if (lines.length > MAX_BATCH_REQUESTS)
    errors.push({ code: 'too_many_requests', message: `The batch input file has ${lines.length} requests; the maximum is ${MAX_BATCH_REQUESTS}.`, param: null, line: null });
  return { lines, errors, model };
}
