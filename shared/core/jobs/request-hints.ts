import { z } from 'zod';
import { TIERS } from '../catalog/catalog';
import { CacheRequestOptionsSchema } from '../../levers/cache/cache-options';

/**
 * What a caller may tell Parsimony about a request besides the request
 * itself. Accepted in the POST /v1/jobs envelope and, for the OpenAI-compatible
 * endpoint, as a `parsimony` object in the chat body (or x-parsimony-* headers).
 */
export const RequestHintsSchema = z
  .object({
    /** classify | extract | tool_select | summarize | chat | code | synthesize | plan | reason, or free text. */
    task: z.string().min(1).max(200).optional(),
    /** Never route below this tier. */
    min_tier: z.enum(TIERS).optional(),
    /** Never route above this tier. */
    max_tier: z.enum(TIERS).optional(),
    /** Semantic cache behaviour for this request. */
    cache: CacheRequestOptionsSchema.optional(),
  })
  .strict();
export type RequestHints = z.infer<typeof RequestHintsSchema>;

/** Reads x-parsimony-task / -min-tier / -max-tier / -cache (mode) headers into hints. */
export function hintsFromHeaders(get: (name: string) => string | undefined): RequestHints {
  const raw: Record<string, unknown> = {};
  const task = get('x-parsimony-task');
  const minTier = get('x-parsimony-min-tier');
  const maxTier = get('x-parsimony-max-tier');
  const cacheMode = get('x-parsimony-cache');
  if (task) raw.task = task;
  if (minTier) raw.min_tier = minTier;
  if (maxTier) raw.max_tier = maxTier;
  if (cacheMode) raw.cache = { mode: cacheMode };
  return RequestHintsSchema.parse(raw);
}
