import type { EmbeddingModelEntry } from '../catalog/catalog';
import type { JobCost } from '../jobs/job-record';
import { roundUsd } from './pricing';

/**
 * The waterfall of an embeddings job. The baseline is the same request sent
 * to the provider (embeddings are never routed: a vector of another model is
 * not an answer to the same question), so the only lever is the cache: a hit
 * saves the whole call, a miss saves nothing. `input_tokens` is what the
 * provider billed for the answer (for a hit, what the stored answer cost).
 * The identity actual = baseline − Σ levers + overhead holds as for chat jobs.
 */
export function embeddingJobCost(model: EmbeddingModelEntry, inputTokens: number, cacheHit: boolean): JobCost {
  const baseline = roundUsd((inputTokens * model.price.input) / 1_000_000);
  const cache = cacheHit ? baseline : 0;
  return {
    baseline_usd: baseline,
    actual_usd: roundUsd(baseline - cache),
    saved_usd: cache,
    overhead_usd: 0,
    by_lever: { routing: 0, cache, context: 0, compression: 0, prompt_cache: 0, batch: 0 },
  };
}
