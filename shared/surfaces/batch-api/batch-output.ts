import type { JobRecord } from '../../core/jobs/job-record';
import type { LineError } from './batch-line';
import { jobErrorToApiError } from '../../core/errors/job-error-http';

/**
 * Lines of batch output and error files in OpenAI's format:
 * `{id, custom_id, response: {status_code, request_id, body} | null, error: {code, message} | null}`.
 * `request_id` is the Parsimony job id, so a line can be looked up with GET /v1/jobs/:id.
 */

export function requestLineId(jobId: string): string {
  return `batch_req_${jobId.replace(/^job_/, '')}`;
}

/** A completed line: the chat completion as the body. */
export function outputLine(job: JobRecord): string {
  return JSON.stringify({
    id: requestLineId(job.id),
    custom_id: job.options.custom_id ?? null,
    response: { status_code: 200, request_id: job.id, body: job.response },
    error: null,
  });
}

/** A line whose job failed: the HTTP status and error body the request would have got. */
export function failedLine(job: JobRecord): string {
  const apiError = jobErrorToApiError(job.error ?? { type: 'internal_error', message: 'the request ended without a result' });
  return JSON.stringify({
    id: requestLineId(job.id),
    custom_id: job.options.custom_id ?? null,
    response: { status_code: apiError.status, request_id: job.id, body: { error: { message: apiError.message, type: apiError.type, param: null, code: null } } },
    error: null,
  });
}

/** A line that never ran: cancelled with its batch, or still unfinished when the window closed. */
export function notRunLine(job: JobRecord, code: 'batch_cancelled' | 'batch_expired'): string {
  const message = code === 'batch_expired' ? 'This request could not be executed before the completion window expired.' : 'This request was cancelled before it could be executed.';
  return JSON.stringify({ id: requestLineId(job.id), custom_id: job.options.custom_id ?? null, response: null, error: { code, message } });
}

/** An input line refused at validation, with its line number. */
export function invalidLine(batchId: string, error: LineError): string {
  return JSON.stringify({
    id: `batch_req_${batchId.replace(/^batch_/, '')}_line_${error.line}`,
    custom_id: error.custom_id,
    response: null,
    error: { code: error.code, message: error.message, line: error.line },
  });
}
