import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChatRequest } from '../../core/chat-model';
import { CacheStorePayloadSchema, uncacheableReason, type CacheEntry, type CacheStorePayload } from './cache-entry';
import { DEFAULT_TENANT_POLICY, type CacheTenantPolicy, type ResolvedCacheOptions } from './cache-options';
import type { Embedder } from './embedders/embedder';
import { EntryRepository } from './entry-repository';
import { PreparedTextCache } from './verifier/prepare';
import { Verifier } from './verifier/verifier';
import { DEFAULT_ERROR_BOUND, type ErrorBoundConfig } from './quality/error-bound';
import { ScopeQuality } from './quality/scope-quality';
import { memoRankOf } from './rank-memo';
import { requestKey, type RequestKey } from './request-key';
import { SingleFlight, type FlightTicket, type SingleFlightOptions } from './single-flight';
import { tierMayServe } from './tier-order';
import type { VectorStore } from './stores/vector-store';

export interface SemanticCacheOptions {
  redis: Redis;
  /** Key prefix; keys live under `${prefix}:cache:`. */
  prefix: string;
  embedder: Embedder;
  store: VectorStore;
  /** Per-tenant defaults; default DEFAULT_TENANT_POLICY for every tenant. */
  policyOf?: (tenant: string) => CacheTenantPolicy | Promise<CacheTenantPolicy>;
  /** Semantic candidates checked per lookup, best first; default 6 (some may be of a lower tier than the request's). */
  candidates?: number;
  /** Longest last user turn the semantic tier compares (longer: exact only); default 2,000 chars. */
  maxSemanticChars?: number;
  singleFlight?: SingleFlightOptions;
  /** The pair verifier; default the shipped weights for the embedder (Verifier.forEmbedder). */
  verifier?: Verifier;
  /** Lowest cosine a neighbour needs to be looked at by the verifier at all; default 0.7. */
  retrievalFloor?: number;
  /** Error bound of the verified cache (quality/error-bound.ts); default maxError 0.02 (PARSIMONY_CACHE_MAX_ERROR). */
  errorBound?: Partial<ErrorBoundConfig>;
  /** Read each scope's adapted threshold (default true); false serves the configured threshold only. */
  adaptiveThresholds?: boolean;
  /** Clock (epoch ms); default Date.now. */
  now?: () => number;
  log?: Logger;
}

export interface LookupInput {
  tenant: string;
  /** Routed model tier: an entry serves it when the entry's tier is the same or higher (not part of the scope). */
  tier: string;
  request: ChatRequest;
  options: ResolvedCacheOptions;
  signal?: AbortSignal;
  /**
   * Try the single-flight lock in the exact tier's round trip (when that tier holds no answer), with this token
   * (SingleFlight.newToken: the caller can release it even if the lookup throws); see LookupResult.flight.
   */
  flight?: { owner?: string; token: string };
}

export interface LookupResult {
  status: 'hit' | 'miss' | 'bypass';
  kind?: 'exact' | 'semantic';
  entry?: CacheEntry;
  /** Cosine of the served semantic entry (1 for exact). */
  similarity?: number;
  /** Verifier score of the served semantic entry (or of the best candidate on a miss). */
  score?: number;
  /** Threshold the verifier score had to reach (configured, or the scope's adapted one when higher). */
  threshold?: number;
  key: RequestKey;
  /** The request may be matched by meaning (mode, turns, images, length). */
  semanticEligible: boolean;
  /** Query vector, when one was computed. */
  vector?: Float32Array;
  /** Embedding spend of this lookup. */
  costUsd: number;
  /** Candidates turned away, by reason (verifier, tier). */
  rejected: Record<string, number>;
  /** Best candidate similarity seen, served or not. */
  bestSimilarity?: number;
  /**
   * With `input.flight`: the single-flight ticket the exact tier's round trip
   * won or lost; undefined when it did not try (the exact key held an entry).
   * A leader must publish or release it, also after a semantic hit.
   */
  flight?: FlightTicket;
}

export interface StoreResult {
  stored: boolean;
  reason?: string;
  entryId?: string;
  costUsd: number;
}

/**
 * The two-tier cache: the exact tier (hash of the normalised request in its
 * scope, in Redis) and the semantic tier (embedding of the last user turn,
 * nearest neighbours inside the scope, then the false-hit guards). Lookups
 * are what the pipeline stage calls; `store` is what the cache-service
 * writer calls; maintenance lives in CacheMaintenance.
 */
export class SemanticCache {
  readonly repo: EntryRepository;
  readonly flights: SingleFlight;
  readonly embedder: Embedder;
  readonly store: VectorStore;
  readonly verifier: Verifier;
  /** Per-scope hits, checks and adapted thresholds (the verified cache). */
  readonly quality: ScopeQuality;
  private readonly now: () => number;
  private readonly prepared = new PreparedTextCache();

  constructor(private readonly o: SemanticCacheOptions) {
    this.repo = new EntryRepository(o.redis, o.prefix);
    this.flights = new SingleFlight(o.redis, this.repo.keys, o.singleFlight);
    this.embedder = o.embedder;
    this.store = o.store;
    this.now = o.now ?? Date.now;
    this.quality = new ScopeQuality(o.redis, o.prefix, { ...DEFAULT_ERROR_BOUND, ...o.errorBound });
    this.verifier = o.verifier ?? Verifier.forEmbedder(o.embedder.fingerprint, o.embedder.rankOf ? memoRankOf(o.embedder.rankOf.bind(o.embedder)) : undefined, o.embedder.wordVector?.bind(o.embedder));
  }

  /** The served threshold when neither request, task nor tenant sets one: the verifier's, else the embedder's cosine. */
  get defaultThreshold(): number {
    return this.verifier.defaultThreshold ?? this.embedder.defaultThreshold;
  }

  async policy(tenant: string): Promise<CacheTenantPolicy> {
    return (await this.o.policyOf?.(tenant)) ?? DEFAULT_TENANT_POLICY;
  }

  /** What a lookup starts from: the request's key and whether it may be matched by meaning. No I/O. */
  miss(input: Omit<LookupInput, 'signal'>): LookupResult {
    const { options } = input;
    const key = requestKey(input.tenant, input.request);
    const semanticEligible =
      options.mode === 'default' && !key.hasImages && key.userTurns <= options.maxSemanticTurns && key.text.trim().length > 0 && key.text.length <= (this.o.maxSemanticChars ?? 2000);
    return { status: 'miss', key, semanticEligible, costUsd: 0, rejected: {} };
  }

  async lookup(input: LookupInput): Promise<LookupResult> {
    const { tenant, options } = input;
    const result = this.miss(input);
    const { key, semanticEligible } = result;
    if (options.mode === 'off' || options.mode === 'refresh') return { ...result, status: options.mode === 'off' ? 'bypass' : 'miss' };

    const now = this.now();
    // The single-flight lock rides along with the exact tier's round trip (tried only when that tier holds no entry).
    const claim = input.flight && this.flights.claim(tenant, key.exactHash, input.flight.owner, input.flight.token);
    const exactLookup = this.repo.getExactOrClaim(tenant, key.exactHash, now, claim);
    // The scope's adapted threshold (tightened by failed checks, relaxed within the error bound) rides along with the exact tier.
    const adapted = semanticEligible && this.o.adaptiveThresholds !== false ? this.quality.threshold(tenant, key.scope, options.threshold) : undefined;
    adapted?.catch(() => undefined);
    // A free embedder's work overlaps the exact tier's round trip (thrown away on an exact hit);
    // a paid one is only called once the exact tier has missed.
    const overlap = semanticEligible && !this.embedder.paid;
    const early = overlap ? this.semanticCandidates(key, tenant, now, options, input.signal) : undefined;
    // The candidates' metas are read as soon as the (free, in-process) search has them: that is before the exact
    // tier's command leaves, so both travel in one round trip (read for nothing on an exact hit).
    const earlyMetas = early?.then(({ matches }) => this.repo.getMetas(tenant, ids(matches)));
    // Handled below when they are awaited; never an unhandled rejection on an exact hit.
    early?.catch(() => undefined);
    earlyMetas?.catch(() => undefined);
    const { entry: exact, won } = await exactLookup;
    if (claim && won !== undefined) result.flight = this.flights.ticket(claim, won);
    if (exact && exact.scope === key.scope && tierMayServe(exact.tier, input.tier)) return { ...result, status: 'hit', kind: 'exact', entry: exact, similarity: 1 };
    if (!semanticEligible) return result;

    const { vector, costUsd, matches } = await (early ?? this.semanticCandidates(key, tenant, now, options, input.signal));
    result.vector = vector;
    result.costUsd = costUsd;
    const threshold = (await adapted) ?? options.threshold;
    result.threshold = threshold;
    if (matches.length === 0) return result;
    result.bestSimilarity = matches[0].similarity;
    // The best candidate's response comes in the same round trip: it is the one usually served.
    const { metas, first } = await (earlyMetas ?? this.repo.getMetas(tenant, ids(matches)));
    const query = this.prepared.get(key.text);
    let best: { i: number; score: number } | undefined;
    for (let i = 0; i < matches.length; i++) {
      const meta = metas[i];
      // Defence in depth: the store filtered already, the record must agree.
      if (!meta || meta.tenant !== tenant || meta.scope !== key.scope || meta.expires_at <= now || !meta.semantic) continue;
      if (!tierMayServe(meta.tier, input.tier)) {
        result.rejected.tier = (result.rejected.tier ?? 0) + 1;
        continue;
      }
      const score = this.verifier.score(query, this.prepared.get(meta.text), matches[i].similarity);
      if (score < threshold) result.rejected.verifier = (result.rejected.verifier ?? 0) + 1;
      // Candidates come best-cosine first; the verifier may prefer a later one: serve the highest score.
      if (!best || score > best.score) best = { i, score };
    }
    if (!best) return result;
    result.score = best.score;
    if (best.score < threshold) return result;
    const meta = metas[best.i]!;
    const response = best.i === 0 && first ? first : await this.repo.getResponse(tenant, meta.id);
    if (!response) return result;
    return { ...result, status: 'hit', kind: 'semantic', entry: { ...meta, response }, similarity: matches[best.i].similarity, score: best.score };
  }

  private async semanticCandidates(key: RequestKey, tenant: string, now: number, options: ResolvedCacheOptions, signal?: AbortSignal) {
    const embedded = await this.embedder.embed([key.text], signal);
    const vector = embedded.vectors[0];
    const matches = await this.store.search({ vector, tenant, scope: key.scope, now, limit: this.o.candidates ?? 6, minSimilarity: this.o.retrievalFloor ?? 0.7 });
    return { vector, costUsd: embedded.costUsd, matches };
  }

  /** The writer's job: validate, embed, upsert the vector, write the entry and the exact tier. */
  async storeEntry(raw: unknown): Promise<StoreResult> {
    const parsed = CacheStorePayloadSchema.safeParse(raw);
    if (!parsed.success) return { stored: false, reason: 'invalid_payload', costUsd: 0 };
    return this.writeEntry(parsed.data);
  }

  /**
   * Stores a payload built in this process (typed, so not re-validated), with
   * the lookup's query vector when it has one (so the text is not embedded twice).
   */
  storeLocal(p: CacheStorePayload, vector?: Float32Array): Promise<StoreResult> {
    return this.writeEntry(p, vector);
  }

  private async writeEntry(p: CacheStorePayload, queryVector?: Float32Array): Promise<StoreResult> {
    const policy = await this.policy(p.tenant);
    const why = uncacheableReason(p.response, { cacheToolCalls: policy.cache_tool_calls, cacheTruncated: policy.cache_truncated });
    if (why) return { stored: false, reason: why, costUsd: 0 };
    const now = this.now();

    const entry: CacheEntry = {
      id: randomUUID(),
      tenant: p.tenant,
      scope: p.scope,
      request_hash: p.request_hash,
      text: p.text,
      semantic: p.semantic,
      tier: p.tier,
      model: p.model,
      task: p.task,
      tags: p.tags,
      response: p.response,
      created_at: p.completed_at,
      expires_at: p.completed_at + p.ttl_seconds * 1000,
      job_id: p.job_id,
    };
    if (entry.expires_at <= now) return { stored: false, reason: 'expired', costUsd: 0 };
    let costUsd = 0;
    let vector: Float32Array | undefined;
    if (p.semantic) {
      vector = queryVector ?? (p.vector_key ? await this.takeVector(p.vector_key) : undefined);
      if (!vector) {
        // Do not pay for an embedding the write would then discard as a duplicate.
        if (this.embedder.paid && !p.replace && (await this.repo.hasExact(p.tenant, p.request_hash))) return { stored: false, reason: 'duplicate', costUsd: 0 };
        const embedded = await this.embedder.embed([p.text]);
        vector = embedded.vectors[0];
        costUsd = embedded.costUsd;
      }
    }
    // The duplicate check is part of the write (one atomic step, one round trip): a live exact answer for this request
    // wins, unless it came from a lower tier than this one (it could not serve requests routed to this tier).
    if (!(await this.repo.put(entry, { replaceExact: p.replace }))) return { stored: false, reason: 'duplicate', costUsd };
    if (vector) {
      await this.store.upsert([{ id: entry.id, vector, tenant: entry.tenant, scope: entry.scope, expiresAt: entry.expires_at, createdAt: entry.created_at, requestHash: entry.request_hash }]);
    }
    return { stored: true, entryId: entry.id, costUsd };
  }

  /** Parks a paid-for query vector for the writer (10 minutes), returns its key. */
  async parkVector(jobId: string, vector: Float32Array): Promise<string> {
    const key = this.repo.keys.vector(jobId);
    await this.o.redis.set(key, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength), 'PX', 600_000);
    return key;
  }

  private async takeVector(key: string): Promise<Float32Array | undefined> {
    const buf = await this.o.redis.getBuffer(key);
    if (!buf || buf.length !== this.embedder.dimensions * 4) return undefined;
    await this.o.redis.del(key);
    const out = new Float32Array(this.embedder.dimensions);
    new Uint8Array(out.buffer).set(buf);
    return out;
  }
}

function ids(matches: readonly { id: string }[]): string[] {
  return matches.map((m) => m.id);
}
