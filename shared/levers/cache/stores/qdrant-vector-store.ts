import type { QdrantClient } from '@qdrant/js-client-rest';
import type { VectorMatch, VectorPoint, VectorQuery, VectorStore } from './vector-store';
import type * as QdrantModule from '@qdrant/js-client-rest';

export interface QdrantVectorStoreOptions {
  /** QDRANT_URL, e.g. http://127.0.0.1:6333. */
  url: string;
  apiKey?: string;
  /** Collection name; build it with `collectionName(prefix, embedder.fingerprint)`. */
  collection: string;
  dims: number;
}

/**
 * Qdrant-backed store for multi-process deployments. Every point carries
 * tenant, scope, expires_at, created_at and request_hash in its payload; every
 * search filters on tenant + scope + expires_at > now (payload indexes on
 * those fields are created at start-up so the filter stays cheap).
 */
export class QdrantVectorStore implements VectorStore {
  readonly kind = 'qdrant';
  private readonly client: QdrantClient;

  constructor(private readonly options: QdrantVectorStoreOptions) {
    // Loaded on use: the client (and the HTTP stack it brings) costs a few MB of heap in every process that runs the embedded store instead.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the lazy load above: an import statement would load it everywhere
    const { QdrantClient: Client } = require('@qdrant/js-client-rest') as typeof QdrantModule;
    this.client = new Client({ url: options.url, apiKey: options.apiKey, checkCompatibility: false });
  }

  async init(): Promise<void> {
    const { exists } = await this.client.collectionExists(this.options.collection);
    if (!exists) {
      await this.client.createCollection(this.options.collection, { vectors: { size: this.options.dims, distance: 'Cosine' } });
    }
    const indexes: [string, 'keyword' | 'float'][] = [
      ['tenant', 'keyword'],
      ['scope', 'keyword'],
      ['request_hash', 'keyword'],
      ['expires_at', 'float'],
      ['created_at', 'float'],
    ];
    for (const [field_name, field_schema] of indexes) {
      await this.client.createPayloadIndex(this.options.collection, { field_name, field_schema, wait: true });
    }
  }

  async upsert(points: VectorPoint[]): Promise<void> {
    if (points.length === 0) return;
    await this.client.upsert(this.options.collection, {
      wait: true,
      points: points.map((p) => ({
        id: p.id,
        vector: Array.from(p.vector),
        payload: { tenant: p.tenant, scope: p.scope, expires_at: p.expiresAt, created_at: p.createdAt, request_hash: p.requestHash },
      })),
    });
  }

  async search(q: VectorQuery): Promise<VectorMatch[]> {
    const hits = await this.client.search(this.options.collection, {
      vector: Array.from(q.vector),
      limit: q.limit,
      score_threshold: q.minSimilarity,
      with_payload: ['expires_at', 'tenant', 'scope'],
      filter: {
        must: [
          { key: 'tenant', match: { value: q.tenant } },
          { key: 'scope', match: { value: q.scope } },
          { key: 'expires_at', range: { gt: q.now } },
        ],
      },
    });
    // Belt and braces: never trust a filter alone for tenant isolation.
    return hits
      .filter((h) => h.payload?.tenant === q.tenant && h.payload?.scope === q.scope && Number(h.payload?.expires_at) > q.now)
      .map((h) => ({ id: String(h.id), similarity: h.score, expiresAt: Number(h.payload?.expires_at) }));
  }

  async delete(tenant: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.client.delete(this.options.collection, {
      wait: true,
      filter: { must: [{ key: 'tenant', match: { value: tenant } }, { has_id: ids }] },
    });
  }

  async deleteExpired(now: number): Promise<number> {
    await this.client.delete(this.options.collection, { wait: true, filter: { must: [{ key: 'expires_at', range: { lte: now } }] } });
    return -1;
  }

  async count(): Promise<number> {
    return (await this.client.count(this.options.collection, { exact: true })).count;
  }

  async close(): Promise<void> {
    // The REST client holds no connection to close.
  }
}
