import type { AtomicEffect } from '../jobs/job-store';
import type { JobRecord, LeverSavings } from '../jobs/job-record';

/**
 * Per-tenant, per-day savings aggregates, kept in Redis so reports never scan
 * jobs. A completed job's increments are applied in the same atomic step as
 * its status change (JobStore.transition), so each job counts exactly once.
 *
 * One hash per tenant and UTC day; fields are `<group>|<measure>` where group
 * is `all`, `model:<id>` or `task:<task>`.
 */
export const LEVERS: readonly (keyof LeverSavings)[] = ['routing', 'cache', 'context', 'compression', 'prompt_cache', 'batch'];

/** Upper bounds of the similarity histogram buckets for semantic cache hits. */
export const SIMILARITY_BUCKETS = [0.8, 0.85, 0.9, 0.92, 0.94, 0.96, 0.98, 1.0];

export function savingsKey(prefix: string, tenant: string, day: string): string {
  return `${prefix}:savings:${tenant}:${day}`;
}

export function dayOf(iso: string): string {
  return iso.slice(0, 10);
}

/** The processing tiers whose realised discount the report shows. */
export const PROCESSING_TIERS_REPORTED = ['standard', 'flex', 'batch'] as const;

/** The tier that answered a job (a cache hit: none): batch when a provider batch did, flex when the flex tier did. */
export function answeredTier(job: JobRecord): (typeof PROCESSING_TIERS_REPORTED)[number] | undefined {
  if (job.delivered_by === 'batch') return 'batch';
  if ((job.annotations?.cache as { hit?: boolean } | undefined)?.hit) return undefined;
  return (job.annotations?.processing_tier as { ran_on?: string } | undefined)?.ran_on === 'flex' ? 'flex' : 'standard';
}

/** The increments one completed job adds to its tenant's day. */
export function savingsIncrements(prefix: string, job: JobRecord): AtomicEffect[] {
  if (!job.cost || !job.completed_at) return [];
  const key = savingsKey(prefix, job.tenant, dayOf(job.completed_at));
  const groups = ['all', `model:${job.route?.model ?? 'unknown'}`, `task:${job.options.task ?? 'unspecified'}`];
  const cache = job.annotations?.cache as { hit?: boolean; similarity?: number; kind?: string } | undefined;
  const batched = job.delivered_by === 'batch';
  const measures: [string, number][] = [
    ['requests', 1],
    ['baseline_usd', job.cost.baseline_usd],
    ['actual_usd', job.cost.actual_usd],
    ['overhead_usd', job.cost.overhead_usd],
    ['provider_cache_anyway_usd', job.cost.provider_cache_anyway_usd ?? 0],
    ['input_tokens', job.usage?.input_tokens ?? 0],
    ['output_tokens', job.usage?.output_tokens ?? 0],
    ['cache_hits', cache?.hit ? 1 : 0],
    ['batched', batched ? 1 : 0],
    // Embeddings are never routed: they count apart, so the routing mix stays the mix of chat jobs.
    [`tier:${job.options.surface === 'embeddings' ? 'embeddings' : (job.route?.tier ?? 'unknown')}`, 1],
    ...LEVERS.map((lever): [string, number] => [`lever:${lever}`, job.cost!.by_lever[lever]]),
  ];
  // Per processing tier: what the provider call cost and what the tier's discount saved on it (the batch lever's step).
  const tier = answeredTier(job);
  if (tier) {
    measures.push([`ptier:${tier}:requests`, 1], [`ptier:${tier}:spend_usd`, job.cost.actual_usd - job.cost.overhead_usd], [`ptier:${tier}:saved_usd`, job.cost.by_lever.batch]);
  }
  const increments: AtomicEffect[] = [];
  for (const group of groups) for (const [measure, by] of measures) increments.push({ key, field: `${group}|${measure}`, by });
  if (cache?.hit && cache.kind === 'semantic' && typeof cache.similarity === 'number') {
    const bucket = SIMILARITY_BUCKETS.find((upper) => cache.similarity! <= upper) ?? 1.0;
    increments.push({ key, field: `all|sim:${bucket}`, by: 1 });
  }
  return increments;
}
