import type { Redis } from 'ioredis';
import type { LeverSavings } from '../jobs/job-record';
import { LEVERS, PROCESSING_TIERS_REPORTED, SIMILARITY_BUCKETS, savingsKey } from './savings-ledger';

export type GroupBy = 'day' | 'model' | 'task';

export interface SavingsFigures {
  baseline_usd: number;
  actual_usd: number;
  saved_usd: number;
  saved_pct: number;
  by_lever: LeverSavings;
  overhead_usd: number;
  /** Provider caching the requests as sent would have had anyway: already out of baseline_usd, not a Parsimony saving. */
  provider_cache_anyway_usd: number;
  requests: number;
  cache_hit_rate: number;
  batch_share: number;
  /**
   * Per processing tier (standard, flex, provider batch): requests it answered, what their provider calls cost,
   * what the tier's discount saved (the batch lever's step) and the realised discount, saved / (spend + saved).
   */
  by_processing_tier: Record<(typeof PROCESSING_TIERS_REPORTED)[number], { requests: number; spend_usd: number; saved_usd: number; realised_discount: number }>;
  routing_mix: { small: number; mid: number; frontier: number };
  input_tokens: number;
  output_tokens: number;
}

export interface SavingsReport extends SavingsFigures {
  object: 'savings';
  from: string;
  to: string;
  group_by: GroupBy | null;
  groups: ({ key: string } & SavingsFigures)[];
  similarity_histogram: { le: number; count: number }[];
}

const MAX_DAYS = 400;

/** Sums a tenant's daily aggregates over [from, to] (UTC days, inclusive). */
export async function savingsReport(redis: Redis, prefix: string, tenant: string, from: string, to: string, groupBy?: GroupBy): Promise<SavingsReport> {
  const days = daysBetween(from, to);
  const pipeline = redis.pipeline();
  for (const day of days) pipeline.hgetall(savingsKey(prefix, tenant, day));
  const results = (await pipeline.exec()) ?? [];
  const perDay = results.map(([err, value]) => {
    if (err) throw err;
    return value as Record<string, string>;
  });

  const totals = new Map<string, number>();
  const grouped = new Map<string, Map<string, number>>();
  perDay.forEach((hash, index) => {
    for (const [field, raw] of Object.entries(hash)) {
      const sep = field.indexOf('|');
      const group = field.slice(0, sep);
      const measure = field.slice(sep + 1);
      const value = Number(raw);
      if (group === 'all') add(totals, measure, value);
      const groupKey = groupBy === 'day' && group === 'all' ? days[index] : groupBy && group.startsWith(`${groupBy}:`) ? group.slice(groupBy.length + 1) : undefined;
      if (groupKey !== undefined) {
        if (!grouped.has(groupKey)) grouped.set(groupKey, new Map());
        add(grouped.get(groupKey)!, measure, value);
      }
    }
  });

  return {
    object: 'savings',
    from: days[0],
    to: days[days.length - 1],
    group_by: groupBy ?? null,
    ...figures(totals),
    groups: [...grouped.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, measures]) => ({ key, ...figures(measures) })),
    similarity_histogram: SIMILARITY_BUCKETS.map((le) => ({ le, count: totals.get(`sim:${le}`) ?? 0 })),
  };
}

function figures(m: Map<string, number>): SavingsFigures {
  const get = (name: string) => m.get(name) ?? 0;
  const requests = get('requests');
  const baseline = round(get('baseline_usd'));
  const actual = round(get('actual_usd'));
  const byLever = Object.fromEntries(LEVERS.map((l) => [l, round(get(`lever:${l}`))])) as unknown as LeverSavings;
  return {
    baseline_usd: baseline,
    actual_usd: actual,
    saved_usd: round(baseline - actual),
    saved_pct: baseline > 0 ? round(((baseline - actual) / baseline) * 100, 2) : 0,
    by_lever: byLever,
    overhead_usd: round(get('overhead_usd')),
    provider_cache_anyway_usd: round(get('provider_cache_anyway_usd')),
    requests,
    cache_hit_rate: requests ? round(get('cache_hits') / requests, 4) : 0,
    batch_share: requests ? round(get('batched') / requests, 4) : 0,
    by_processing_tier: Object.fromEntries(
      PROCESSING_TIERS_REPORTED.map((t) => {
        const spend = get(`ptier:${t}:spend_usd`);
        const saved = get(`ptier:${t}:saved_usd`);
        return [t, { requests: get(`ptier:${t}:requests`), spend_usd: round(spend), saved_usd: round(saved), realised_discount: spend + saved > 0 ? round(saved / (spend + saved), 4) : 0 }];
      }),
    ) as SavingsFigures['by_processing_tier'],
    routing_mix: { small: get('tier:small'), mid: get('tier:mid'), frontier: get('tier:frontier') },
    input_tokens: get('input_tokens'),
    output_tokens: get('output_tokens'),
  };
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

function round(value: number, digits = 8): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Every UTC day from `from` to `to` inclusive (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError('from and to must be dates (YYYY-MM-DD)');
  if (end < start) throw new RangeError('from must not be after to');
  const days: string[] = [];
  for (let t = start; t <= end; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
    if (days.length > MAX_DAYS) throw new RangeError(`a report covers at most ${MAX_DAYS} days`);
  }
  return days;
}
