import { TIERS, type Catalog, type ModelEntry } from '../../../core/catalog/catalog';
import { priceUsage, roundUsd } from '../../../core/accounting/pricing';
import type { ChatRequest, ChatResponse, StreamEvent } from '../../../core/chat-model';
import type { PipelineContext } from '../../../core/stage';
import { requiredCapabilities, tierRank } from '../tiers';
import { checkStructuredOutput, expectsStructuredOutput } from './structured-output';

/** One provider call as the execute stage makes it (with its own retries); `onEvent` receives stream events when streaming. */
export type ModelCall = (model: ModelEntry, request: ChatRequest, onEvent?: (event: StreamEvent) => void) => Promise<ChatResponse>;

/** `annotations.escalation` of a job whose first answer was rejected. */
export interface EscalationAnnotation {
  /** The model that answered first (and was rejected). */
  from: string;
  /** The model whose answer the job returns. */
  to: string;
  from_tier: string;
  to_tier: string;
  /** Why the first answer was rejected. */
  reason: string;
  /** Every rejected answer, in order: model, tier, reason, what it cost. */
  rejected: { model: string; tier: string; reason: string; overhead_usd: number }[];
  /** Total cost of the rejected answers, counted in the job's overhead_usd. */
  overhead_usd: number;
  /** false when even the last model's answer failed the check (it is returned anyway: nothing above it to try). */
  resolved: boolean;
}

export interface EscalationGuardOptions {
  /** Whether a provider can be called here; an escalation never targets one that cannot. Default: every provider. */
  isProviderConfigured?: (provider: string) => boolean;
}

const MAX_REASON_CHARS = 300;

/**
 * The structured-output quality guard, a cascade: a routed ("auto") request
 * that asks for JSON (json_schema / json_object) or offers tools gets its
 * answer checked (structured-output.ts); an answer that fails is discarded
 * and the request goes to the next tier's model (same provider preferred),
 * up to the frontier. The rejected answers' cost is the job's overhead; the
 * route then names the model that answered.
 *
 * Streaming: below the top tier the answer is buffered, checked, and only
 * then replayed to the client (it sees the first token once the small model
 * has finished, never a stream it would have to unsee); the top tier
 * streams directly.
 */
export class EscalationGuard {
  private readonly configured: (provider: string) => boolean;

  constructor(
    private readonly catalog: Catalog,
    options: EscalationGuardOptions = {},
  ) {
    this.configured = options.isProviderConfigured ?? (() => true);
  }

  async run(ctx: PipelineContext, call: ModelCall): Promise<ChatResponse> {
    if (!ctx.model) throw new Error('escalation guard needs a routed model');
    if (!this.applies(ctx)) return call(ctx.model, ctx.request, ctx.onStreamEvent);
    const first = ctx.model;
    const rejected: EscalationAnnotation['rejected'] = [];
    for (;;) {
      const model = ctx.model;
      const next = this.nextModel(model, ctx.request);
      const buffer: StreamEvent[] = [];
      // At the top there is nothing to fall back to: stream straight through.
      const onEvent = ctx.onStreamEvent && next ? (event: StreamEvent) => void buffer.push(event) : ctx.onStreamEvent;
      const response = await call(model, ctx.request, onEvent);
      const verdict = checkStructuredOutput(ctx.request, response);
      if (verdict.ok || !next) {
        if (ctx.onStreamEvent && onEvent !== ctx.onStreamEvent) for (const event of buffer) ctx.onStreamEvent(event);
        if (rejected.length) this.annotate(ctx, first, model, rejected, verdict.ok);
        if (!verdict.ok) ctx.log.warn({ model: model.id, reason: verdict.reason }, 'structured answer failed its check at the top tier; returned as is');
        return response;
      }
      const overhead = roundUsd(priceUsage(model, response.usage));
      ctx.ledger.addOverhead(overhead);
      const reason = clip(verdict.reason);
      rejected.push({ model: model.id, tier: model.tier, reason, overhead_usd: overhead });
      ctx.log.info({ from: model.id, to: next.id, reason }, 'structured answer rejected; escalating to the next tier');
      ctx.model = next;
      ctx.request = { ...ctx.request, model: next.id };
      const route = ctx.route!;
      ctx.route = { ...route, model: next.id, provider: next.provider, tier: next.tier, reason: `${route.reason}; escalated ${model.tier}→${next.tier} (${model.id} → ${next.id}): ${reason}` };
    }
  }

  /** Routed jobs only (never an explicit model), with a structured contract, below the top reachable tier. */
  private applies(ctx: PipelineContext): boolean {
    return ctx.job.options.requested_model === 'auto' && !!ctx.route && !!ctx.model && expectsStructuredOutput(ctx.request) && !!this.nextModel(ctx.model, ctx.request);
  }

  /**
   * The model one tier up (skipping a tier without a usable model): the
   * cheapest capable one of the same provider, else of any provider that can
   * be called here. Undefined at the top.
   */
  nextModel(current: ModelEntry, request: ChatRequest): ModelEntry | undefined {
    const caps = requiredCapabilities(request);
    const usable = (m: ModelEntry) => caps.every((c) => m.capabilities.includes(c)) && this.configured(m.provider);
    for (const tier of TIERS.slice(tierRank(current.tier) + 1)) {
      const candidates = this.catalog.forTier(tier).filter(usable);
      const pick = candidates.find((m) => m.provider === current.provider) ?? candidates[0];
      if (pick) return pick;
    }
    return undefined;
  }

  private annotate(ctx: PipelineContext, first: ModelEntry, last: ModelEntry, rejected: EscalationAnnotation['rejected'], resolved: boolean): void {
    const annotation: EscalationAnnotation = {
      from: first.id,
      to: last.id,
      from_tier: first.tier,
      to_tier: last.tier,
      reason: rejected[0].reason,
      rejected,
      overhead_usd: roundUsd(rejected.reduce((sum, r) => sum + r.overhead_usd, 0)),
      resolved,
    };
    ctx.annotations.escalation = annotation;
  }
}

function clip(text: string): string {
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}…` : text;
}
