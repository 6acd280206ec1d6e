import type { ModelEntry } from '../../core/catalog/catalog';
import type { ChatRequest } from '../../core/chat-model';
import type { JobRecord } from '../../core/jobs/job-record';
import { isSyncFallback } from './defer-policy';
import { BATCH_WINDOW_SECONDS, type ProcessingTier, type TierConfig } from './tier-config';
import type { ModelTierFigures } from './tier-stats';

/** The tier chosen for one job, and why; stored on the job as `processing_tier`. */
export interface TierDecision {
  tier: ProcessingTier;
  reason: string;
  /** The latency budget the choice used, seconds (absent: none, e.g. a synchronous call). */
  budget_s?: number;
  /** Where the budget came from: deadline, latency "batch", tenant default, service_tier "flex". */
  budget_source?: string;
  /** Flex only: the call must have answered by then (ms since epoch) to leave time for a standard one. */
  flex_until?: number;
}

export interface TierInput {
  job: JobRecord;
  /** The request as the levers shaped it (its `service_tier` is the caller's). */
  request: ChatRequest;
  model: ModelEntry;
  figures: ModelTierFigures;
  config: TierConfig;
  /** The job can be parked for a provider batch here (a batch-submitter inbox, a provider batch API). */
  canBatch: boolean;
  now: number;
}

/**
 * The processing tier of one job, from its latency budget and what the
 * provider + model has measured (tier-stats.ts):
 * - batch when the budget holds the batch's p95 turnaround plus the margin;
 * - flex when it holds flex's p95 latency, a standard call after a refusal,
 *   and the margin, and flex's refusal rate is acceptable;
 * - of those that fit, the lower expected price (flex's expected price counts
 *   its refusals at the standard price); else standard.
 * Streams, synchronous calls and jobs the batch lever handed back run
 * standard, unless the caller asked for `service_tier: "flex"`.
 */
export function chooseTier(input: TierInput): TierDecision {
  const { job, request, model, figures, config, now } = input;
  const asked = request.service_tier;
  if (isSyncFallback(job)) return { tier: 'standard', reason: 'handed back by the batch lever before its deadline: runs now' };
  if (asked && asked !== 'auto' && asked !== 'flex') return { tier: 'standard', reason: `service_tier "${asked}" requested` };

  const budget = budgetOf(job, asked === 'flex', config, now);
  if (!budget) return { tier: 'standard', reason: job.options.stream ? 'streamed: never waits' : job.options.latency === 'sync' ? 'synchronous call' : 'no deadline and no tenant default budget' };
  const margin = config.marginSeconds;
  const fits: { tier: ProcessingTier; price: number; why: string }[] = [];
  const misses: string[] = [];

  const batchable = budget.allowsBatch && input.canBatch && model.batch_discount > 0;
  if (batchable && budget.seconds >= figures.batch.p95_s + margin) {
    fits.push({ tier: 'batch', price: 1 - model.batch_discount, why: `batch p95 ${fmt(figures.batch.p95_s)} (${figures.batch.source}) + margin ${fmt(margin)} fit, ${pct(model.batch_discount)} off` });
  } else if (batchable) misses.push(`batch p95 ${fmt(figures.batch.p95_s)} + margin does not fit`);
  else if (budget.allowsBatch) misses.push(input.canBatch ? `${model.id} has no batch discount` : `no batch API for ${model.provider} here`);

  const flexDiscount = model.flex_discount ?? 0;
  const refusal = figures.flex.refusal_rate;
  const flexNeeds = figures.flex.p95_s + config.standardP95Seconds + (budget.source === 'service_tier "flex"' ? 0 : margin);
  if (flexDiscount <= 0) misses.push(`${model.id} offers no flex tier`);
  else if (refusal > config.flexMaxRefusal) misses.push(`flex refusal rate ${pct(refusal)} > ${pct(config.flexMaxRefusal)}`);
  else if (budget.seconds < flexNeeds) misses.push(`flex p95 ${fmt(figures.flex.p95_s)} + standard fallback + margin does not fit`);
  else {
    const price = (1 - refusal) * (1 - flexDiscount) + refusal;
    fits.push({
      tier: 'flex',
      price,
      why: `flex p95 ${fmt(figures.flex.p95_s)} (${figures.flex.source}) + fallback ${fmt(config.standardP95Seconds)} fit, refusal ${pct(refusal)}, ${pct(flexDiscount)} off`,
    });
  }

  const head = `budget ${fmt(budget.seconds)} (${budget.source})`;
  const common = { budget_s: Math.round(budget.seconds), budget_source: budget.source };
  if (!fits.length) return { tier: 'standard', reason: `${head}: ${misses.join('; ')}`, ...common };
  fits.sort((a, b) => a.price - b.price || (a.tier === 'flex' ? -1 : 1));
  const best = fits[0];
  const others = [...fits.slice(1).map((f) => `${f.tier} dearer`), ...misses].join('; ');
  const decision: TierDecision = { tier: best.tier, reason: `${head}: ${best.why}${others ? `; ${others}` : ''}`, ...common };
  if (best.tier === 'flex') {
    const reserve = config.standardP95Seconds + (budget.source === 'service_tier "flex"' ? 0 : margin);
    decision.flex_until = now + Math.min(config.flexTimeoutCapSeconds, budget.seconds - reserve) * 1000;
  }
  return decision;
}

interface Budget {
  seconds: number;
  source: string;
  /** A provider batch may answer it (never a synchronous call or a stream). */
  allowsBatch: boolean;
}

function budgetOf(job: JobRecord, askedFlex: boolean, config: TierConfig, now: number): Budget | undefined {
  const { latency, deadline, stream } = job.options;
  if (latency === 'sync' || stream) {
    // A caller who asks for flex accepts flex latency: up to the flex timeout, with a standard fallback.
    return askedFlex ? { seconds: config.flexTimeoutCapSeconds + config.standardP95Seconds, source: 'service_tier "flex"', allowsBatch: false } : undefined;
  }
  if (deadline) return { seconds: Math.max(0, (Date.parse(deadline) - now) / 1000), source: 'deadline', allowsBatch: true };
  if (latency === 'batch') return { seconds: BATCH_WINDOW_SECONDS, source: 'latency "batch"', allowsBatch: true };
  const tenantDefault = config.tenantBudgets?.[job.tenant] ?? config.tenantBudgets?.['*'];
  if (tenantDefault) return { seconds: tenantDefault, source: 'tenant default', allowsBatch: true };
  if (askedFlex) return { seconds: config.flexTimeoutCapSeconds + config.standardP95Seconds, source: 'service_tier "flex"', allowsBatch: false };
  return undefined;
}

function fmt(seconds: number): string {
  if (seconds >= 3600) return `${Math.round((seconds / 3600) * 10) / 10} h`;
  if (seconds >= 60) return `${Math.round((seconds / 60) * 10) / 10} min`;
  return `${Math.round(seconds * 10) / 10} s`;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
