import type { ModelEntry } from '../core/catalog/catalog';
import type { ChatRequest, ChatResponse, StreamEvent } from '../core/chat-model';
import type { ProviderAdapter } from '../providers/provider-adapter';
import type { EscalationGuard } from '../levers/routing/guards/escalation';
import { ProviderError } from '../core/errors/provider-error';
import { ProviderCooldownError } from '../providers/provider-cooldown';
import type { PipelineContext, Stage, StageOutcome } from '../core/stage';
import { FlexCall } from '../levers/batch/flex-call';

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
  /** The routing lever's structured-output cascade (routed jobs only); without it the routed model's answer is final. */
  escalation?: EscalationGuard;
  /**
   * Per-provider cooldowns after a 429 (shared/providers/provider-cooldown.ts):
   * ms `provider` is still cooling down for this job, 0 = call it. When it is
   * > 0 the provider is not called: the call throws a ProviderCooldownError (a
   * retryable 429 whose retry-after is the time left). Default: none, every call
   * goes to the provider. Only the router-worker sets one (it delays the job
   * until the cooldown ends); the fast path keeps its own in-process retries,
   * which already honour a 429's retry-after.
   */
  cooldownMs?: CooldownLookup;
  /** Runs the calls the tier choice sent to flex, with their standard fallback. Default: a FlexCall without measurements. */
  flex?: FlexCall;
}

/** See ExecuteStageOptions.cooldownMs. */
export type CooldownLookup = (provider: string, ctx: PipelineContext) => Promise<number>;

/** Calls the routed model through its provider adapter: the last stage of a job that was not served otherwise. */
export class ExecuteStage implements Stage {
  readonly name = 'execute';

  constructor(private readonly options: ExecuteStageOptions) {}

  async run(ctx: PipelineContext): Promise<StageOutcome> {
    if (!ctx.model) throw new Error('execute stage needs a routed model (route stage missing?)');
    const flex = this.options.flex ?? new FlexCall();
    const call = (model: ModelEntry, request: ChatRequest, onEvent?: (event: StreamEvent) => void) =>
      FlexCall.wanted(request) ? flex.run(ctx, model, request, (r, o) => this.call(ctx, model, r, onEvent, o)) : this.call(ctx, model, request, onEvent);
    const response = this.options.escalation ? await this.options.escalation.run(ctx, call) : await call(ctx.model, ctx.request, ctx.onStreamEvent);
    return { kind: 'complete', response, deliveredBy: this.name };
  }

  /** One model call with the in-process retries; stream events go to `onEvent` when given. */
  private async call(ctx: PipelineContext, model: ModelEntry, request: ChatRequest, onEvent?: (event: StreamEvent) => void, overrides: { timeoutMs?: number; attempts?: number } = {}): Promise<ChatResponse> {
    const adapter = this.options.adapterFor(model.provider);
    await this.checkCooldown(ctx, model.provider);
    const call = { signal: ctx.signal, timeoutMs: overrides.timeoutMs ?? this.options.timeoutMs };
    const attempts = overrides.attempts ?? this.options.attempts;
    let streamed = false;
    for (let attempt = 1; ; attempt++) {
      try {
        let response: ChatResponse | undefined;
        if (onEvent) {
          for await (const event of adapter.stream(request, model, call)) {
            if (event.type === 'done') response = event.response;
            else streamed = true;
            onEvent(event);
          }
          if (!response) throw new ProviderError(model.provider, 0, 'stream ended without a final message');
        } else {
          response = await adapter.complete(request, model, call);
        }
        return response;
      } catch (err) {
        // A stream that already reached the client cannot be retried transparently.
        const retryable = err instanceof ProviderError && err.retryable && !streamed && !ctx.signal?.aborted;
        if (!retryable || attempt >= attempts) throw err;
        const delay = this.options.backoffMs(attempt, err);
        ctx.log.warn({ attempt, delayMs: delay, status: err.status }, 'provider call failed; retrying');
        await sleep(delay, ctx.signal);
      }
    }
  }

  /** Throws instead of calling a provider that is cooling down; checked per call, so an escalation to another provider is checked too. */
  private async checkCooldown(ctx: PipelineContext, provider: string): Promise<void> {
    if (!this.options.cooldownMs) return;
    let left: number;
    try {
      left = await this.options.cooldownMs(provider, ctx);
    } catch (err) {
      // The cooldown only spares the provider calls bound to fail: without it, call as before.
      ctx.log.warn({ provider, err: { message: (err as Error).message } }, 'could not read the provider cooldown; calling the provider');
      return;
    }
    if (left > 0) throw new ProviderCooldownError(provider, left);
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
