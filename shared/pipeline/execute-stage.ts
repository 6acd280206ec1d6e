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
   * goes to the provider. The router-worker sets one (it delays the job until
   * the cooldown ends); so does the fast path, with `cooldownWaitMs` and
   * `recordRateLimit`, so both paths follow one back-pressure rule.
   */
  cooldownMs?: CooldownLookup;
  /**
   * Longest cooldown one call waits out in-process before calling the provider
   * (the fast path: a short wait beats a 429 to the client); a longer one throws
   * the ProviderCooldownError at once. Default 0: never wait (the router-worker,
   * which puts the job back in the delayed set instead).
   */
  cooldownWaitMs?: number;
  /**
   * Starts the shared cooldown after a provider 429 and returns the ms left of
   * the one that stands (ProviderCooldowns.record). Set by the fast path, whose
   * 429s then hold back every process's calls, queued ones included; the next
   * attempt waits the cooldown out (≤ cooldownWaitMs) or fails with its
   * retry-after. Default: none (the router-worker records in its failure handler).
   */
  recordRateLimit?: (provider: string, retryAfterMs: number | undefined) => Promise<number>;
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
  private async call(
    ctx: PipelineContext,
    model: ModelEntry,
    request: ChatRequest,
    onEvent?: (event: StreamEvent) => void,
    overrides: { timeoutMs?: number; attempts?: number } = {},
  ): Promise<ChatResponse> {
    const adapter = this.options.adapterFor(model.provider);
    const call = { signal: ctx.signal, timeoutMs: overrides.timeoutMs ?? this.options.timeoutMs };
    const attempts = overrides.attempts ?? this.options.attempts;
    let streamed = false;
    let waitLeftMs = this.options.cooldownWaitMs ?? 0;
    for (let attempt = 1; ; attempt++) {
      waitLeftMs -= await this.awaitCooldown(ctx, model.provider, waitLeftMs);
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
        // The provider's 429 starts the cooldown every process honours; the next attempt then waits it out or fails
        // with its retry-after (awaitCooldown), instead of a private backoff no one else knows about.
        const shared = err instanceof ProviderError && err.status === 429 && !(err instanceof ProviderCooldownError) && (await this.shareRateLimit(ctx, model.provider, err));
        if (!retryable || attempt >= attempts) throw err;
        if (shared) continue;
        const delay = this.options.backoffMs(attempt, err);
        ctx.log.warn({ attempt, delayMs: delay, status: err.status }, 'provider call failed; retrying');
        await sleep(delay, ctx.signal);
      }
    }
  }

  /**
   * Waits out `provider`'s cooldown when it ends within `canWaitMs`, else throws a ProviderCooldownError (the
   * provider is not called). Checked before every attempt, so an escalation to another provider is checked too.
   * Returns the ms waited.
   */
  private async awaitCooldown(ctx: PipelineContext, provider: string, canWaitMs: number): Promise<number> {
    if (!this.options.cooldownMs) return 0;
    let waited = 0;
    for (;;) {
      const left = await this.readCooldown(ctx, provider);
      if (left <= 0) return waited;
      if (left > canWaitMs - waited || ctx.signal?.aborted) throw new ProviderCooldownError(provider, left);
      ctx.log.info({ provider, waitMs: left }, 'provider cooling down after a rate limit; waiting it out before calling');
      await sleep(left, ctx.signal);
      waited += left;
    }
  }

  private async readCooldown(ctx: PipelineContext, provider: string): Promise<number> {
    try {
      return await this.options.cooldownMs!(provider, ctx);
    } catch (err) {
      // The cooldown only spares the provider calls bound to fail: without it, call as before.
      ctx.log.warn({ provider, err: { message: (err as Error).message } }, 'could not read the provider cooldown; calling the provider');
      return 0;
    }
  }

  /** Records a provider 429 as the shared cooldown; false when there is no recorder or it failed (then the private backoff applies). */
  private async shareRateLimit(ctx: PipelineContext, provider: string, err: ProviderError): Promise<boolean> {
    if (!this.options.recordRateLimit) return false;
    try {
      const left = await this.options.recordRateLimit(provider, err.retryAfterMs);
      ctx.log.warn({ provider, cooldownMs: left }, 'provider rate-limited a synchronous call; cooldown started for every caller');
      return this.options.cooldownMs !== undefined;
    } catch (e) {
      ctx.log.warn({ provider, err: { message: (e as Error).message } }, 'could not record the provider cooldown; retrying with backoff');
      return false;
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
