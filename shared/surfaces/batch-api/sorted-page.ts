import type { Redis } from 'ioredis';
import { ApiError } from '../../core/errors/api-error';

/** OpenAI-style cursor pagination: `after` is the id of the last item of the previous page. */
export interface PageQuery {
  after?: string;
  /** Page size; default 20, at most 100. */
  limit?: number;
}

export interface Page<T> {
  object: 'list';
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/**
 * One page of a per-tenant index (a sorted set scored by creation time),
 * newest first. `load` returns undefined for items that expired meanwhile
 * (skipped and dropped from the index) and null for items filtered out.
 */
export async function sortedPage<T>(redis: Redis, indexKey: string, query: PageQuery, load: (ids: string[]) => Promise<(T | null | undefined)[]>): Promise<Page<T>> {
  const limit = query.limit ?? 20;
  let start = 0;
  if (query.after) {
    const rank = await redis.zrevrank(indexKey, query.after);
    if (rank === null) throw ApiError.invalid(`after: no item ${query.after} in this list`);
    start = rank + 1;
  }
  const data: T[] = [];
  const ids: string[] = [];
  let hasMore = false;
  // Expired items are skipped, so read on until the page is full.
  for (;;) {
    const batch = await redis.zrevrange(indexKey, start, start + limit);
    const items = await load(batch);
    const gone = batch.filter((_, i) => items[i] === undefined);
    if (gone.length) await redis.zrem(indexKey, ...gone);
    for (let i = 0; i < batch.length; i++) {
      const item = items[i];
      if (item === undefined || item === null) continue;
      if (data.length === limit) {
        hasMore = true;
        break;
      }
      data.push(item);
      ids.push(batch[i]);
    }
    start += batch.length;
    if (hasMore || batch.length <= limit) break;
  }
  return { object: 'list', data, first_id: ids[0] ?? null, last_id: ids[ids.length - 1] ?? null, has_more: hasMore };
}
