import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Embedder } from '../cache/embedders/embedder';
import { WordVectorEmbedder } from '../cache/embedders/word-vector-embedder';
import type { RequestSummary } from './request-summary';

/**
 * What the router needs from a sentence embedder: a synchronous, in-process
 * vector (a decision is pure CPU and sub-millisecond, so no network embedder).
 * The cache lever's embedded WordVectorEmbedder satisfies it, and any later
 * embedder of the cache lever that offers `embedSync` can be swapped in; the
 * weights file records the fingerprint it was trained with, and a router
 * given another encoder ignores the dense part (see model.ts).
 */
export type SentenceEncoder = Pick<Embedder, 'fingerprint' | 'dimensions'> & {
  embedSync(text: string): Float32Array;
};

/** Whether a cache-lever embedder can also serve the router. */
export function asSentenceEncoder(embedder: Embedder | undefined): SentenceEncoder | undefined {
  const candidate = embedder as (Embedder & { embedSync?: unknown }) | undefined;
  return candidate && typeof candidate.embedSync === 'function' ? (candidate as unknown as SentenceEncoder) : undefined;
}

/** The text the router embeds: the work being asked for (last user turn, already cut to head + tail). */
export function encoderText(summary: RequestSummary): string {
  return summary.lastUser.length > 2000 ? summary.lastUser.slice(0, 2000) : summary.lastUser;
}

const loaded = new Map<string, SentenceEncoder | null>();

/**
 * The router's default encoder: the cache lever's embedded word-vector embedder, loaded once per data
 * directory and process. A missing or unreadable vector file is logged and leaves the router without
 * an encoder (the dense part counts at its mean, no out-of-distribution check) rather than failing start-up.
 */
export function routerEncoder(dataDir: string, log?: Logger): SentenceEncoder | undefined {
  const dir = join(dataDir, 'embeddings');
  if (!loaded.has(dir)) {
    try {
      loaded.set(dir, WordVectorEmbedder.load({ dataDir: dir }));
    } catch (err) {
      log?.warn({ err: { message: (err as Error).message }, dir }, 'router sentence encoder unavailable; routing without embeddings');
      loaded.set(dir, null);
    }
  }
  return loaded.get(dir) ?? undefined;
}
