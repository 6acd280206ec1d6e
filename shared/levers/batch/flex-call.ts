import type { ModelEntry } from '../../core/catalog/catalog';
import type { ChatRequest, ChatResponse } from '../../core/chat-model';
import { ProviderError } from '../../core/errors/provider-error';
import type { PipelineContext } from '../../core/stage';
import { TIER_ANNOTATION } from './defer-stage';
import type { TierStats } from './tier-stats';

/** One provider call with overrides: per-attempt timeout and attempts. */
export type ProviderCall = (request: ChatRequest, overrides?: { timeoutMs?: number; attempts?: number }) => Promise<ChatResponse>;

/** Below this much time left a flex try is not worth making, ms. */
const MIN_FLEX_MS = 500;

/**
 * A flex call with its standard fallback: one flex attempt bounded so that a
 * standard call still fits before the job's deadline (`processing_tier.
 * flex_until`); a 429 ("Resource Unavailable") or a timeout falls back to
 * standard at once, in the same job attempt — never a missed deadline
 * because of the cheaper tier. Each outcome feeds the flex figures
 * (latency, refusal rate) the tier choice reads.
 */
export class FlexCall {
  constructor(
    private readonly stats?: TierStats,
    private readonly capMs = 600_000,
  ) {}

  /** Whether `request` is to be tried on flex. */
  static wanted(request: ChatRequest): boolean {
    return request.service_tier === 'flex';
  }

  async run(ctx: PipelineContext, model: ModelEntry, request: ChatRequest, call: ProviderCall): Promise<ChatResponse> {
    const note = (ctx.annotations[TIER_ANNOTATION] ??= { tier: 'flex', reason: 'service_tier "flex" requested' }) as Record<string, unknown>;
    const standard = (why: string) => {
      note.ran_on = 'standard';
      note.fallback_reason = why;
      return call({ ...request, service_tier: undefined });
    };
    if (!((model.flex_discount ?? 0) > 0)) return standard(`${model.id} offers no flex tier`);
    const until = typeof note.flex_until === 'string' ? Date.parse(note.flex_until) : Date.now() + this.capMs;
    const timeoutMs = Math.min(this.capMs, until - Date.now());
    if (timeoutMs < MIN_FLEX_MS) return standard('no time left for a flex try');
    const started = Date.now();
    try {
      const response = await call({ ...request, service_tier: 'flex' }, { timeoutMs, attempts: 1 });
      await this.record(ctx, model, { ok: true, ms: Date.now() - started });
      // Priced at the flex price only when the provider says flex answered (absent: it did, as asked).
      const onFlex = response.service_tier === undefined || response.service_tier === 'flex';
      ctx.ledger.flex = onFlex;
      note.ran_on = onFlex ? 'flex' : 'standard';
      note.flex_latency_ms = Date.now() - started;
      return response;
    } catch (err) {
      const refused = err instanceof ProviderError && (err.status === 429 || err.status === 0) && !ctx.signal?.aborted;
      if (!refused) throw err;
      await this.record(ctx, model, { ok: false });
      ctx.log.info({ model: model.id, status: err.status, afterMs: Date.now() - started }, 'flex refused or timed out; falling back to standard');
      return standard(err.status === 429 ? 'flex refused (429 resource unavailable)' : 'flex timed out');
    }
  }

  private async record(ctx: PipelineContext, model: ModelEntry, sample: { ok: true; ms: number } | { ok: false }): Promise<void> {
    try {
      await this.stats?.recordFlex(model.provider, model.id, sample);
    } catch (err) {
      ctx.log.warn({ err: { message: (err as Error).message } }, 'could not record a flex outcome');
    }
  }
}
