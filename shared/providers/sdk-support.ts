import type { Logger } from '../platform/logging/logger';
import { DEFAULT_PROVIDER_TIMEOUT_MS, type CallOptions, type ProviderConnection } from './provider-adapter';

/**
 * Glue both official SDKs need: their `logger` option routed into pino, and
 * each attempt's deadline and abort signal. Adapters never retry, so
 * `maxRetries` is always 0.
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

/**
 * Extra time the SDK's own timer gets beyond the attempt deadline: it is only
 * a backstop, so the deadline below always fires first.
 */
const SDK_TIMER_MARGIN_MS = 5_000;
/** setTimeout fires at once for delays above 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One attempt's deadline and abort wiring. The adapters time attempts out
 * themselves instead of relying on the SDK timeout because (a) the SDK timer
 * stops when the response headers arrive, while a non-streamed completion
 * should be bounded until its body is read, and (b) under Jest's VM realm the
 * OpenAI SDK 6.x cannot recognise its own timeout and reports a plain
 * "Connection error." (the abort DOMException comes from another realm).
 * Knowing that our timer fired makes the timeout unambiguous.
 */
export class AttemptDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private fired = false;
  private readonly onOuterAbort = () => this.controller.abort();

  constructor(
    readonly timeoutMs: number,
    private readonly outer?: AbortSignal,
  ) {
    if (outer?.aborted) this.controller.abort();
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
    this.timer = setTimeout(
      () => {
        this.fired = true;
        this.controller.abort();
      },
      Math.min(timeoutMs, MAX_TIMER_MS),
    );
  }

  /** True when this attempt was ended by its deadline (not by the caller). */
  get timedOut(): boolean {
    return this.fired;
  }

  /** SDK request options: our signal, the SDK timer as a backstop, never an SDK retry. */
  requestOptions(): { signal: AbortSignal; timeout: number; maxRetries: 0 } {
    return { signal: this.controller.signal, timeout: Math.min(this.timeoutMs + SDK_TIMER_MARGIN_MS, MAX_TIMER_MS), maxRetries: 0 };
  }

  /** Stops the clock (a stream has started) but keeps the caller's abort wired. */
  stopClock(): void {
    clearTimeout(this.timer);
  }

  /** Stops the clock and unhooks from the caller's signal; call when the attempt is over. */
  dispose(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }
}

/** The attempt timeout: the call's own, else the connection's, else DEFAULT_PROVIDER_TIMEOUT_MS. */
export function attemptTimeoutMs(options: CallOptions | undefined, connection: ProviderConnection): number {
  return options?.timeoutMs ?? connection.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS;
}
