import { createHash, type Hash } from 'node:crypto';
import { scanCheckpoints } from './tokens';

/**
 * Provider prompt caching, as the real APIs report it.
 *
 * OpenAI caches automatically: prompts of at least 1,024 tokens are cached in
 * 128-token steps, keyed by model + prompt_cache_key + exact prefix; a prefix
 * seen within the TTL is reported as `cached_tokens`.
 *
 * Anthropic caches only at `cache_control` breakpoints: the prefix up to a
 * breakpoint (if at least the model's minimum) is written, and a later request
 * whose breakpoint — or one of the 20 blocks before it — lands on a written
 * prefix reads it. Reads refresh the TTL, as on the real API.
 */

const OPENAI_MIN_TOKENS = 1024;
const OPENAI_STEP = 128;
const OPENAI_TTL_MS = 5 * 60_000;
const ANTHROPIC_LOOKBACK_BLOCKS = 20;
const FIVE_MINUTES = 5 * 60_000;
const ONE_HOUR = 60 * 60_000;
/** Sweep expired entries every this many writes, so the map stays bounded. */
const SWEEP_EVERY = 2000;

/** What a request sees of the prompt cache: reads, and the writes it makes. */
export interface PromptCacheView {
  has(key: string, now: number): boolean;
  put(key: string, ttlMs: number, now: number): void;
}

export class PromptCacheStore implements PromptCacheView {
  private readonly entries = new Map<string, number>();
  private writes = 0;

  has(key: string, now: number): boolean {
    const expires = this.entries.get(key);
    if (expires === undefined) return false;
    if (expires <= now) {
      this.entries.delete(key);
      return false;
    }
    return true;
  }

  put(key: string, ttlMs: number, now: number): void {
    const expires = now + ttlMs;
    const current = this.entries.get(key);
    if (current === undefined || current < expires) this.entries.set(key, expires);
    if (++this.writes % SWEEP_EVERY === 0) this.sweep(now);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(now: number): void {
    for (const [key, expires] of this.entries) if (expires <= now) this.entries.delete(key);
  }
}

/**
 * The cache as the requests of one provider batch see it: they read what was
 * written before (a warm-up call, earlier traffic), but not each other's
 * writes, which land in the shared cache only when the batch ends (commit) —
 * as on the real APIs, where a batch's requests run concurrently.
 */
export class BatchCacheView implements PromptCacheView {
  private readonly pending: { key: string; ttlMs: number }[] = [];

  constructor(private readonly store: PromptCacheStore) {}

  has(key: string, now: number): boolean {
    return this.store.has(key, now);
  }

  put(key: string, ttlMs: number): void {
    if (this.pending.length < 100_000) this.pending.push({ key, ttlMs });
  }

  commit(now = Date.now()): void {
    for (const w of this.pending) this.store.put(w.key, w.ttlMs, now);
    this.pending.length = 0;
  }
}

export interface OpenAICacheInput {
  model: string;
  cacheKey?: string;
  /** The prompt as canonical text segments (tools, then each message), in order. */
  segments: readonly string[];
  /** Total prompt tokens; below 1,024 nothing is cached. */
  promptTokens: number;
  /** `prompt_cache_retention: "24h"` extends the TTL. */
  ttlMs?: number;
}

/** Tokens of the prompt served from the cache; records the prompt's prefixes for later calls. */
export function openAICachedTokens(store: PromptCacheView, input: OpenAICacheInput, now = Date.now()): number {
  if (input.promptTokens < OPENAI_MIN_TOKENS) return 0;
  const keys: { tokens: number; key: string }[] = [];
  const hash = createHash('sha1').update(`openai\0${input.model}\0${input.cacheKey ?? ''}\0`);
  let seg = 0;
  let off = 0;
  const feedTo = (s: number, o: number) => {
    while (seg < s) {
      hash.update(input.segments[seg].slice(off)).update('\0');
      seg += 1;
      off = 0;
    }
    hash.update(input.segments[s].slice(off, o));
    off = o;
  };
  scanCheckpoints(input.segments, OPENAI_MIN_TOKENS, OPENAI_STEP, (s, o, tokens) => {
    if (tokens > input.promptTokens) return;
    feedTo(s, o);
    keys.push({ tokens, key: hash.copy().digest('base64') });
  });
  let cached = 0;
  for (const k of keys) if (store.has(k.key, now)) cached = k.tokens;
  const ttl = input.ttlMs ?? OPENAI_TTL_MS;
  for (const k of keys) store.put(k.key, ttl, now);
  return cached;
}

export interface CacheBlock {
  /** Canonical text of the block (what makes two prefixes equal). */
  text: string;
  tokens: number;
  /** A cache_control breakpoint on this block. */
  breakpoint?: '5m' | '1h';
}

export interface AnthropicCacheResult {
  read: number;
  write5m: number;
  write1h: number;
}

/** Cache reads and writes of one Anthropic request, per its breakpoints. */
export function anthropicCacheUsage(store: PromptCacheView, model: string, blocks: readonly CacheBlock[], minTokens: number, now = Date.now()): AnthropicCacheResult {
  const result: AnthropicCacheResult = { read: 0, write5m: 0, write1h: 0 };
  const breakpoints: number[] = [];
  blocks.forEach((b, i) => b.breakpoint && breakpoints.push(i));
  if (breakpoints.length === 0) return result;

  const last = breakpoints[breakpoints.length - 1];
  const cumulative: number[] = [];
  const keys: string[] = [];
  let running = 0;
  let chain: Hash = createHash('sha1').update(`anthropic\0${model}\0`);
  for (let i = 0; i <= last; i++) {
    running += blocks[i].tokens;
    cumulative.push(running);
    chain = chain.update(blocks[i].text).update('\0');
    keys.push(chain.copy().digest('base64'));
  }

  // Reads: the longest cached prefix at a breakpoint or within the lookback window before one.
  let readAt = -1;
  for (const b of breakpoints) {
    for (let i = b; i >= Math.max(0, b - ANTHROPIC_LOOKBACK_BLOCKS); i--) {
      if (i > readAt && cumulative[i] >= minTokens && store.has(keys[i], now)) {
        readAt = i;
        break;
      }
    }
  }
  result.read = readAt >= 0 ? cumulative[readAt] : 0;

  // Writes: each breakpoint beyond the read point extends the cache, billed at its TTL.
  let covered = result.read;
  for (const b of breakpoints) {
    if (cumulative[b] < minTokens) continue;
    const ttl = blocks[b].breakpoint === '1h' ? ONE_HOUR : FIVE_MINUTES;
    if (cumulative[b] > covered) {
      if (ttl === ONE_HOUR) result.write1h += cumulative[b] - covered;
      else result.write5m += cumulative[b] - covered;
      covered = cumulative[b];
    }
    store.put(keys[b], ttl, now);
  }
  if (readAt >= 0) store.put(keys[readAt], blocks[readAt].breakpoint === '1h' ? ONE_HOUR : FIVE_MINUTES, now);
  return result;
}
