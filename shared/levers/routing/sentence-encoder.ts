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

/** Longest text the router embeds: its head and its tail (where a long prompt's instruction usually is). */
const ENCODER_HEAD_CHARS = 600;
const ENCODER_TAIL_CHARS = 400;

/**
 * The text the router embeds: the work being asked for (last user turn, already cut to head + tail), cut
 * again to its first 600 and last 400 characters. Embedding is most of a long prompt's decision time
 * (2,000 characters: ~0.26 ms of CPU), and the kind of prompt shows in its opening and its closing ask.
 */
export function encoderText(summary: RequestSummary): string {
  const t = summary.lastUser;
  return t.length > ENCODER_HEAD_CHARS + ENCODER_TAIL_CHARS ? `${t.slice(0, ENCODER_HEAD_CHARS)}\n${t.slice(-ENCODER_TAIL_CHARS)}` : t;
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
