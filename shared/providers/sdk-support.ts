import type { Logger } from '../logging/logger';
import type { CallOptions } from './provider-adapter';

/**
 * Glue both official SDKs need: their `logger` option routed into pino, and
 * per-call request options. Adapters never retry, so `maxRetries` is always 0.
 */

type LogFn = (message: string, ...rest: unknown[]) => void;

/** The SDKs' `logger` option, writing structured pino lines instead of console output. */
export function sdkLogger(log: Logger): { error: LogFn; warn: LogFn; info: LogFn; debug: LogFn } {
  const at =
    (level: 'error' | 'warn' | 'info' | 'debug'): LogFn =>
    (message, ...rest) =>
      rest.length ? log[level]({ details: rest }, message) : log[level](message);
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** Per-call SDK request options: the caller's abort signal and timeout override. */
export function requestOptions(options: CallOptions | undefined): { signal?: AbortSignal; timeout?: number; maxRetries: 0 } {
  const out: { signal?: AbortSignal; timeout?: number; maxRetries: 0 } = { maxRetries: 0 };
  if (options?.signal) out.signal = options.signal;
  if (options?.timeoutMs !== undefined) out.timeout = options.timeoutMs;
  return out;
}
