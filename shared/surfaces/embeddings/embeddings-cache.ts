import type { Redis } from 'ioredis';
import { canonicalJson, sha256 } from '../../levers/cache/request-key';
import type { EmbeddingsRequest } from '../../providers/provider-adapter';

/** A stored provider answer: the body the caller gets again, and the tokens it cost when it was made. */
export interface StoredEmbeddings {
  body: Record<string, unknown>;
  input_tokens: number;
}

/**
 * The exact tier of the cache for embeddings, per tenant: the same input,
 * model, dimensions and encoding format get the stored answer. Embeddings
 * are deterministic for a model, so there is no semantic tier (a "similar"
 * input must get its own vector) and no verification to do. One Redis
 * string per answer, expiring after `ttlSeconds`.
 */
export class EmbeddingsCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  /** The key of a request: tenant + sha256 of everything that shapes the answer. */
  key(tenant: string, request: EmbeddingsRequest): string {
    const hash = sha256(canonicalJson({ v: 1, model: request.model, input: request.input, dimensions: request.dimensions ?? null, encoding_format: request.encoding_format }));
    return `${this.prefix}:embeddings-cache:${tenant}:${hash}`;
  }

  async get(key: string): Promise<StoredEmbeddings | undefined> {
    const raw = await this.redis.get(key);
    if (!raw) return undefined;
    try {
      const stored = JSON.parse(raw) as StoredEmbeddings;
      return stored && typeof stored.body === 'object' && typeof stored.input_tokens === 'number' ? stored : undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: StoredEmbeddings): Promise<void> {
    await this.redis.set(key, JSON.stringify(value), 'EX', this.ttlSeconds);
  }
}
