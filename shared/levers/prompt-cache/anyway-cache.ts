import type Redis from 'ioredis';
import type { ModelEntry } from '../../core/catalog/catalog';
import type { ChatRequest } from '../../core/chat-model';
import { billBlocks, cachingKindOf, prefixBlocks, type CacheUsage, type PrefixBlock } from './cache-billing';

/**
 * "Provider caching you would have had anyway": the cache reads and writes the
 * request *as the caller sent it* would have received without Parsimony,
 * estimated from the same tenant's prefix history (cache-billing.ts states the
 * billing model per provider):
 *
 * - OpenAI: automatic prefix caching — the longest prefix (in blocks) shared
 *   with a request of the last AUTO_TTL_SECONDS, in 128-token steps from 1,024;
 * - Anthropic: only the caller's own `cache_control` markers — reads of
 *   prefixes an earlier request wrote at its markers (within their TTL), writes
 *   up to the last marker.
 *
 * History: one Redis hash per tenant and leading block (the tools list or the
 * system prompt, so an agent's sessions share it, as they share the provider's
 * cache), fields `s:<prefix hash>` (seen) and `m:<prefix hash>` (written at a
 * caller marker) holding the epoch second and the TTL. Everything Parsimony
 * adds (its breakpoints, cache keys, the compacted prefix) is credited to the
 * prompt_cache lever only beyond this.
 */
export const AUTO_TTL_SECONDS = 600;
const HISTORY_TTL_SECONDS = 3_600;

export class AnywayCacheEstimator {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  /** The as-sent cache usage on each model, then records this request in the history. */
  async estimate(tenant: string, request: Pick<ChatRequest, 'tools' | 'system' | 'messages'>, models: readonly ModelEntry[], now = Date.now()): Promise<CacheUsage[]> {
    const blocks = prefixBlocks(request);
    if (blocks.length === 0) return models.map(() => ({ input_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0 }));
    const key = `${this.keyPrefix}pc:hist:${tenant}:${blocks[0].hash}`;
    const fields = blocks.flatMap((b) => [`s:${b.hash}`, `m:${b.hash}`]);
    const values = await this.redis.hmget(key, ...fields);
    const sec = Math.floor(now / 1000);
    const seen = new Set<string>();
    const written = new Set<string>();
    blocks.forEach((b, i) => {
      if (alive(values[2 * i], sec)) seen.add(b.hash);
      if (alive(values[2 * i + 1], sec)) written.add(b.hash);
    });
    const history = { seen: (h: string) => seen.has(h), written: (h: string) => written.has(h) };
    const out = models.map((m) => billBlocks(cachingKindOf(m), blocks, history, m.min_cacheable_tokens));
    await this.record(key, blocks, sec, Math.min(...models.map((m) => m.min_cacheable_tokens)));
    return out;
  }

  private async record(key: string, blocks: readonly PrefixBlock[], sec: number, minCacheable: number): Promise<void> {
    const entries: Record<string, string> = {};
    const total = blocks[blocks.length - 1].tokens;
    if (total >= 1024) for (const b of blocks) entries[`s:${b.hash}`] = `${sec}:${AUTO_TTL_SECONDS}`;
    for (const b of blocks) if (b.marker && b.tokens >= minCacheable) entries[`m:${b.hash}`] = `${sec}:${b.marker === '1h' ? 3600 : 300}`;
    if (Object.keys(entries).length === 0) return;
    await this.redis.multi().hset(key, entries).expire(key, HISTORY_TTL_SECONDS).exec();
  }
}

function alive(value: string | null, sec: number): boolean {
  if (!value) return false;
  const [at, ttl] = value.split(':').map(Number);
  return sec - at <= ttl;
}
