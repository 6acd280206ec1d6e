import type { ChatResponse } from '../../messages/chat-model';
import type { ProviderAdapter } from '../../providers/provider-adapter';
import { ProviderError } from '../../errors/provider-error';
import type { PipelineContext, Stage, StageOutcome } from '../stage';

export interface ExecuteStageOptions {
  /** Finds the adapter of a provider (the provider registry). */
  adapterFor: (provider: string) => ProviderAdapter;
  /**
   * Attempts per call. The fast path retries in-process (default 3); the
   * router-worker passes 1 and lets BullMQ retry the job with backoff.
   */
  attempts: number;
  /** Per-attempt timeout in ms. */
  timeoutMs: number;
  /** Delay before retry `attempt` (1-based) after `error`. */
  backoffMs: (attempt: number, error: ProviderError) => number;
}

/** Calls the routed model through its provider adapter: the last stage of a job that was not served otherwise. */
export class ExecuteStage implements Stage {
  readonly name = 'execute';

  constructor(private readonly options: ExecuteStageOptions) {}

  async run(ctx: PipelineContext): Promise<StageOutcome> {
    if (!ctx.model) throw new Error('execute stage needs a routed model (route stage missing?)');
    const model = ctx.model;
    const adapter = this.options.adapterFor(model.provider);
    const call = { signal: ctx.signal, timeoutMs: this.options.timeoutMs };
    let streamed = false;
    for (let attempt = 1; ; attempt++) {
      try {
        let response: ChatResponse | undefined;
        if (ctx.onStreamEvent) {
          for await (const event of adapter.stream(ctx.request, model, call)) {
            if (event.type === 'done') response = event.response;
            else streamed = true;
            ctx.onStreamEvent(event);
          }
          if (!response) throw new ProviderError(model.provider, 0, 'stream ended without a final message');
        } else {
          response = await adapter.complete(ctx.request, model, call);
        }
        return { kind: 'complete', response, deliveredBy: this.name };
      } catch (err) {
        // A stream that already reached the client cannot be retried transparently.
        const retryable = err instanceof ProviderError && err.retryable && !streamed && !ctx.signal?.aborted;
        if (!retryable || attempt >= this.options.attempts) throw err;
        const delay = this.options.backoffMs(attempt, err);
        ctx.log.warn({ attempt, delayMs: delay, status: err.status }, 'provider call failed; retrying');
        await sleep(delay, ctx.signal);
      }
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
