import { z } from 'zod';
import type { ChatResponse } from '../../core/chat-model';

const ToolCallSchema = z.object({ id: z.string(), name: z.string(), arguments: z.string() });
const UsageSchema = z.object({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cached_input_tokens: z.number().int().nonnegative(),
  cache_write_tokens: z.number().int().nonnegative(),
});

export const ChatResponseSchema = z.object({
  id: z.string(),
  model: z.string(),
  content: z.string().nullable(),
  tool_calls: z.array(ToolCallSchema),
  finish_reason: z.enum(['stop', 'length', 'tool_calls', 'content_filter']),
  usage: UsageSchema,
  created: z.number(),
}) satisfies z.ZodType<ChatResponse>;

/**
 * What the pipeline enqueues on the cache-store queue after a job completes
 * (job name JOB_NAMES.storeInCache). Ids, keys and the response — the request
 * body stays in the job record; only the last user turn's text travels,
 * because the writer embeds it.
 */
export const CacheStorePayloadSchema = z
  .object({
    tenant: z.string().min(1),
    job_id: z.string().min(1),
    scope: z.string().length(64),
    request_hash: z.string().length(64),
    /** Last user turn (what the semantic tier embeds). */
    text: z.string(),
    /** Also index for semantic lookups (false: exact tier only). */
    semantic: z.boolean(),
    /** Tier of the model that answered: the entry serves requests routed to this tier or a lower one. */
    tier: z.string(),
    /** Model that answered (the routed one). */
    model: z.string().optional(),
    task: z.string().optional(),
    response: ChatResponseSchema,
    ttl_seconds: z.number().int().positive(),
    tags: z.array(z.string()).default([]),
    /** Overwrite an existing exact entry (mode "refresh"). */
    replace: z.boolean().default(false),
    /** Epoch ms the request was answered. */
    completed_at: z.number(),
    /** Redis key of the query vector the stage already paid for (paid embedders), if any. */
    vector_key: z.string().optional(),
  })
  .strict();
export type CacheStorePayload = z.infer<typeof CacheStorePayloadSchema>;

/** A stored answer, as kept in Redis (JSON). */
export const CacheEntrySchema = z.object({
  id: z.string(),
  tenant: z.string(),
  scope: z.string(),
  request_hash: z.string(),
  text: z.string(),
  semantic: z.boolean(),
  tier: z.string(),
  model: z.string().optional(),
  task: z.string().optional(),
  tags: z.array(z.string()),
  response: ChatResponseSchema,
  /** Epoch ms. */
  created_at: z.number(),
  /** Epoch ms; never extended by a hit. */
  expires_at: z.number(),
  job_id: z.string(),
});
export type CacheEntry = z.infer<typeof CacheEntrySchema>;

export interface CacheabilityRules {
  cacheToolCalls: boolean;
  cacheTruncated: boolean;
}

/** Why a response must not be stored, or null when it may be. */
export function uncacheableReason(response: ChatResponse, rules: CacheabilityRules): string | null {
  if (response.finish_reason === 'content_filter') return 'content_filter';
  if (response.finish_reason === 'length' && !rules.cacheTruncated) return 'truncated';
  if ((response.finish_reason === 'tool_calls' || response.tool_calls.length > 0) && !rules.cacheToolCalls) return 'tool_calls';
  if ((response.content ?? '') === '' && response.tool_calls.length === 0) return 'empty';
  return null;
}
