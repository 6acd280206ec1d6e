/**
 * Where the semantic tier's vectors live. A search is always inside one
 * (tenant, scope) partition and only sees entries that have not expired:
 * scope is a hard filter, never a similarity judgement.
 */
export interface VectorPoint {
  /** Cache entry id (a UUID). */
  id: string;
  /** Unit-length vector. */
  vector: Float32Array;
  tenant: string;
  scope: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms. */
  createdAt: number;
  /** Exact-tier hash of the request the entry answers. */
  requestHash: string;
}

export interface VectorQuery {
  vector: Float32Array;
  tenant: string;
  scope: string;
  /** Epoch ms; entries with expiresAt <= now are invisible. */
  now: number;
  /** Most candidates to return, best first. */
  limit: number;
  /** Cosine below which candidates are dropped. */
  minSimilarity: number;
}

export interface VectorMatch {
  id: string;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
  expiresAt: number;
}

export interface VectorStore {
  /** "embedded" or "qdrant". */
  readonly kind: string;
  /** Creates the collection / loads the persisted index; idempotent. */
  init(): Promise<void>;
  upsert(points: VectorPoint[]): Promise<void>;
  search(query: VectorQuery): Promise<VectorMatch[]>;
  /** Removes entries by id (a tenant is given so a store can scope the delete). */
  delete(tenant: string, ids: string[]): Promise<void>;
  /** Removes every entry whose expiresAt <= now; returns how many (or -1 when the store cannot tell). */
  deleteExpired(now: number): Promise<number>;
  /** Number of live entries (approximate for remote stores). */
  count(): Promise<number>;
  /** Persists (embedded) and releases resources. */
  close(): Promise<void>;
}

/** Collection / directory name: prefix + embedder fingerprint, so a model change never mixes vectors. */
export function collectionName(prefix: string, fingerprint: string): string {
  return `${prefix}_cache_${fingerprint}`.replace(/[^A-Za-z0-9_-]+/g, '_');
}
