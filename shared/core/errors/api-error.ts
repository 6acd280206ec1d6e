/**
 * Every error Parsimony reports to a caller is an ApiError (or becomes one in
 * the HTTP error middleware), so every 4xx/5xx body has the same shape:
 * `{ "error": { "type", "message" } }`.
 */
export type ApiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'provider_error'
  | 'service_unavailable'
  | 'internal_error';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ApiErrorType,
    message: string,
    /** Seconds a caller should wait before retrying (429/503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return { error: { type: this.type, message: this.message } };
  }

  static invalid(message: string): ApiError {
    return new ApiError(400, 'invalid_request_error', message);
  }
  static unauthenticated(message = 'Missing or unknown API key: send "Authorization: Bearer <key>" (or "x-api-key: <key>").'): ApiError {
    return new ApiError(401, 'authentication_error', message);
  }
  static forbidden(message: string): ApiError {
    return new ApiError(403, 'permission_error', message);
  }
  static notFound(what: string): ApiError {
    return new ApiError(404, 'not_found_error', `${what} not found`);
  }
  static conflict(message: string): ApiError {
    return new ApiError(409, 'conflict_error', message);
  }
  static tooLarge(message: string): ApiError {
    return new ApiError(413, 'request_too_large', message);
  }
  static rateLimited(message: string, retryAfterSeconds: number): ApiError {
    return new ApiError(429, 'rate_limit_error', message, retryAfterSeconds);
  }
  static unavailable(message: string, retryAfterSeconds = 1): ApiError {
    return new ApiError(503, 'service_unavailable', message, retryAfterSeconds);
  }
}

export interface ErrorBody {
  error: { type: ApiErrorType | string; message: string };
}
