import type { ChatRequest, ChatResponse } from '../../core/chat-model';
import { CONTINUE, type PipelineContext, type Stage, type StageOutcome } from '../../core/stage';
import { uncacheableReason, type CacheStorePayload } from './cache-entry';
import { CacheRequestOptionsSchema, resolveCacheOptions, type CacheRequestOptions, type ResolvedCacheOptions } from './cache-options';
import type { LookupResult, SemanticCache } from './semantic-cache';
import type { CacheCheckLauncher } from './quality/cache-checks';
import { cacheServesRequest } from './request-key';

/** What the stage records on the job as `annotations.cache` (the spine derives the headers from it). */
export interface CacheAnnotation {
  hit: boolean;
  status: 'hit' | 'miss' | 'bypass';
  kind?: 'exact' | 'semantic';
  similarity?: number;
  /** Verifier score (probability the two texts ask the same thing) of the served or best candidate. */
  score?: number;
  entry_id?: string;
  /** Served from a concurrent identical request (single-flight). */
  waited?: boolean;
  threshold?: number;
  /** Semantic candidates turned away, by reason (verifier, tier). */
  rejected_by?: Record<string, number>;
  lookup_ms: number;
  error?: string;
}

export interface CacheStageOptions {
  cache: SemanticCache;
  /**
   * Hands a store to the cache-service, called after the job's result is stored: a cache-store queue job
   * (JOB_NAMES.storeInCache), or a direct write when the cache-service runs in this process. `vector` is the
   * lookup's query vector when one was computed (a direct write reuses it; the queue cannot carry it).
   */
  enqueueStore: (payload: CacheStorePayload, vector?: Float32Array) => Promise<void>;
  /** Where the request's `cache` option is; default `job.options.cache`, then `job.options.metadata.cache`. */
  requestOptionsOf?: (ctx: PipelineContext) => unknown;
  /** Identical in-flight requests wait for the first one; default true. */
  singleFlight?: boolean;
  /** The verified cache: samples semantic hits for a check by the routed model through the batch API. */
  checks?: CacheCheckLauncher;
}

interface PendingStore {
  lookup: LookupResult;
  options: ResolvedCacheOptions;
  tier: string;
  flightToken?: string;
}

/**
 * The cache lever as a pipeline stage, placed right after routing. A hit
 * completes the job with no provider call (deliveredBy "cache"); a miss
 * continues and, after the job completes, `afterComplete` enqueues the store
 * job (the cache-service embeds and writes, off the hot path). The cache never
 * fails a job: a lookup error is logged and counted as a bypass.
 */
export class CacheStage implements Stage {
  readonly name = 'cache';
  /** Reads neither the ledger nor other stages' annotations: its lookup overlaps the baseline estimate's read. */
  readonly independent = true;
  private readonly pending = new WeakMap<PipelineContext, PendingStore>();

  constructor(private readonly o: CacheStageOptions) {}

  async run(ctx: PipelineContext): Promise<StageOutcome> {
    const started = performance.now();
    const tenant = ctx.job.tenant;
    const tier = ctx.route?.tier ?? ctx.model?.tier ?? 'unrouted';
    const cache = this.o.cache;
    const annotate = (a: Omit<CacheAnnotation, 'lookup_ms'>) => {
      ctx.annotations.cache = { ...a, lookup_ms: Math.round((performance.now() - started) * 1000) / 1000 } satisfies CacheAnnotation;
    };
    // The single-flight lock is tried in the exact tier's own round trip; kept here so a failed lookup can let go of it.
    let flight: { owner: string; token: string } | undefined;
    let options: ResolvedCacheOptions | undefined;
    try {
      options = resolveCacheOptions(this.requestOptions(ctx), await cache.policy(tenant), cache.defaultThreshold, ctx.job.options.task);
      if (options.mode === 'off' || !cacheServesRequest(ctx.request)) {
        annotate({ hit: false, status: 'bypass' });
        return CONTINUE;
      }
      const singleFlight = this.o.singleFlight !== false && options.mode !== 'refresh';
      if (singleFlight) flight = { owner: ctx.job.id, token: cache.flights.newToken(ctx.job.id) };
      const lookup = await cache.lookup({ tenant, tier, request: ctx.request, options, signal: ctx.signal, flight });
      if (lookup.costUsd > 0) ctx.ledger.addOverhead(lookup.costUsd);
      if (lookup.status === 'hit' && lookup.entry) {
        // Led from the exact tier's round trip, then answered by the semantic tier: identical waiters go ahead (and hit too).
        if (lookup.flight?.leader) this.releaseQuietly(ctx, lookup.key.exactHash, lookup.flight.token);
        ctx.ledger.cacheHit = true;
        annotate({ hit: true, status: 'hit', kind: lookup.kind, similarity: lookup.similarity, score: lookup.score, entry_id: lookup.entry.id, threshold: lookup.threshold ?? options.threshold });
        if (lookup.kind === 'semantic' && this.o.checks) {
          const entry = lookup.entry;
          const plan = this.o.checks.plan(ctx, entry);
          // Off the hot path: counting the hit and launching its check never delay the answer.
          void this.o.checks.launch(ctx, entry, lookup.score ?? 1, options.threshold, plan).catch((err: Error) => ctx.log.warn({ err: { message: err.message } }, 'cache hit check not launched'));
        }
        return { kind: 'complete', response: lookup.entry.response, deliveredBy: this.name };
      }
      const pending: PendingStore = { lookup, options, tier };
      if (singleFlight) {
        // Not tried by the lookup only when the exact key held an entry this request could not use (scope, tier).
        const ticket = lookup.flight ?? (await cache.flights.acquire(tenant, lookup.key.exactHash, ctx.job.id));
        if (ticket.leader) pending.flightToken = ticket.token;
        else {
          const response = await cache.flights.wait(tenant, lookup.key.exactHash, ctx.signal);
          if (response) {
            ctx.ledger.cacheHit = true;
            annotate({ hit: true, status: 'hit', kind: 'exact', similarity: 1, waited: true });
            return { kind: 'complete', response, deliveredBy: this.name };
          }
        }
      }
      this.pending.set(ctx, pending);
      annotate({
        hit: false,
        status: 'miss',
        threshold: lookup.threshold ?? options.threshold,
        similarity: lookup.bestSimilarity,
        score: lookup.score,
        rejected_by: Object.keys(lookup.rejected).length ? lookup.rejected : undefined,
      });
      return CONTINUE;
    } catch (err) {
      if (flight && options) this.releaseAfterFailedLookup(ctx, tier, options, flight.token);
      ctx.log.warn({ err }, 'cache lookup failed; continuing without the cache');
      annotate({ hit: false, status: 'bypass', error: (err as Error).message });
      return CONTINUE;
    }
  }

  async afterComplete(ctx: PipelineContext, response: ChatResponse): Promise<void> {
    const pending = this.pending.get(ctx);
    if (!pending) return;
    this.pending.delete(ctx);
    const { lookup, options } = pending;
    const cache = this.o.cache;
    const tenant = ctx.job.tenant;
    const why = uncacheableReason(response, { cacheToolCalls: options.cacheToolCalls, cacheTruncated: options.cacheTruncated });
    // Not awaited before the store below: the answer for waiters and the cache write leave in one round trip.
    const flight = pending.flightToken
      ? why
        ? cache.flights.release(tenant, lookup.key.exactHash, pending.flightToken)
        : cache.flights.publish(tenant, lookup.key.exactHash, pending.flightToken, response, options.ttlSeconds * 1000)
      : undefined;
    if (why) {
      await flight;
      ctx.log.debug({ reason: why }, 'response not cached');
      return;
    }
    // A failed publish must not hide the store (and is reported by the hook's caller either way).
    const settled = flight?.then(
      () => undefined,
      (err: unknown) => err,
    );
    const semantic = lookup.semanticEligible || (options.mode === 'refresh' && lookup.key.userTurns <= options.maxSemanticTurns && !lookup.key.hasImages);
    const vectorKey = semantic && lookup.vector && cache.embedder.paid ? await cache.parkVector(ctx.job.id, lookup.vector) : undefined;
    const tags = ctx.job.options.metadata?.cache_tags;
    await this.o.enqueueStore(
      {
        tenant,
        job_id: ctx.job.id,
        scope: lookup.key.scope,
        request_hash: lookup.key.exactHash,
        text: lookup.key.text,
        semantic,
        tier: pending.tier,
        model: ctx.route?.model ?? response.model,
        task: ctx.job.options.task,
        response,
        ttl_seconds: options.ttlSeconds,
        tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
        replace: options.mode === 'refresh',
        completed_at: Date.now(),
        vector_key: vectorKey,
      },
      semantic ? lookup.vector : undefined,
    );
    const publishError = await settled;
    if (publishError) throw publishError;
  }

  /**
   * For a job a provider batch answered: the store plan a miss left in memory
   * (key, options, tier), rebuilt from the record without a second lookup —
   * the answer is stored like any other. No single-flight ticket: the job let
   * go of it when it was deferred.
   */
  async restore(ctx: PipelineContext, request: ChatRequest): Promise<void> {
    const annotation = ctx.annotations.cache as Partial<CacheAnnotation> | undefined;
    if (annotation?.status !== 'miss') return;
    const tier = ctx.route?.tier ?? ctx.model?.tier ?? 'unrouted';
    const cache = this.o.cache;
    const options = resolveCacheOptions(this.requestOptions(ctx), await cache.policy(ctx.job.tenant), cache.defaultThreshold, ctx.job.options.task);
    if (options.mode === 'off' || !cacheServesRequest(request)) return;
    this.pending.set(ctx, { lookup: cache.miss({ tenant: ctx.job.tenant, tier, request, options }), options, tier });
  }

  /** Call when a job fails after this stage ran, so waiting duplicates go ahead at once instead of at the lock timeout. */
  async onFailed(ctx: PipelineContext): Promise<void> {
    const pending = this.pending.get(ctx);
    this.pending.delete(ctx);
    if (pending?.flightToken) await this.o.cache.flights.release(ctx.job.tenant, pending.lookup.key.exactHash, pending.flightToken);
  }

  /** A lookup that threw may have taken the lock in its exact-tier round trip: let go of it (a no-op when it did not). */
  private releaseAfterFailedLookup(ctx: PipelineContext, tier: string, options: ResolvedCacheOptions, token: string): void {
    try {
      this.releaseQuietly(ctx, this.o.cache.miss({ tenant: ctx.job.tenant, tier, request: ctx.request, options }).key.exactHash, token);
    } catch {
      // The request's key itself could not be computed: no lock was taken under it.
    }
  }

  /** Lets go of a single-flight lock off the answer's path (compare-and-delete: harmless when not held). */
  private releaseQuietly(ctx: PipelineContext, hash: string, token: string): void {
    this.o.cache.flights.release(ctx.job.tenant, hash, token).catch((err: Error) => ctx.log.warn({ err: { message: err.message } }, 'single-flight release failed; waiters go ahead at their timeout'));
  }

  private requestOptions(ctx: PipelineContext): CacheRequestOptions | undefined {
    const raw = this.o.requestOptionsOf?.(ctx) ?? (ctx.job.options as { cache?: unknown }).cache ?? (ctx.job.options.metadata as { cache?: unknown } | undefined)?.cache;
    if (raw === undefined) return undefined;
    const parsed = CacheRequestOptionsSchema.safeParse(raw);
    if (!parsed.success) {
      ctx.log.warn({ issues: parsed.error.issues }, 'ignoring an invalid cache option');
      return undefined;
    }
    return parsed.data;
  }
}

/** Response headers for the fast path, from the job's cache annotation. */
export function cacheHeaders(annotation: unknown): Record<string, string> {
  const a = annotation as Partial<CacheAnnotation> | undefined;
  if (!a?.status) return { 'x-parsimony-cache': 'bypass' };
  const headers: Record<string, string> = { 'x-parsimony-cache': a.status };
  if (a.hit && typeof a.similarity === 'number') headers['x-parsimony-cache-similarity'] = a.similarity.toFixed(4);
  return headers;
}
