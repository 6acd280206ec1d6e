import type { Logger } from 'pino';
import type { Catalog, EmbeddingModelEntry } from '../../core/catalog/catalog';
import { embeddingJobCost } from '../../core/accounting/embedding-cost';
import type { ChatRequest, ChatResponse } from '../../core/chat-model';
import { ApiError } from '../../core/errors/api-error';
import type { JobOutcomes } from '../../core/jobs/job-outcomes';
import type { JobRecord, RouteDecision } from '../../core/jobs/job-record';
import { toJobError } from '../../pipeline/job-runner';
import { JobStore } from '../../core/jobs/job-store';
import type { EmbeddingsRequest, ProviderAdapter } from '../../providers/provider-adapter';
import { callWithRetries } from '../../providers/retry-policy';
import type { CacheAnnotation } from '../../levers/cache/cache-stage';
import type { EmbeddingsCache } from './embeddings-cache';
import type { EmbeddingsBody } from './request-schema';

export interface EmbeddingsPathDeps {
  catalog: Catalog;
  store: JobStore;
  outcomes: JobOutcomes;
  /** The exact cache; undefined = caching off (PARSIMONY_CACHE=off). */
  cache?: EmbeddingsCache;
  /** The adapter of a catalog provider (throws when it is not configured). */
  adapterFor: (provider: string) => ProviderAdapter;
  isProviderConfigured: (provider: string) => boolean;
  /** Attempts on retryable provider errors (429, 5xx, timeouts). */
  attempts: number;
  log: Logger;
}

/**
 * POST /v1/embeddings as a job. Why not the chat pipeline: none of its
 * levers but the cache applies to an embedding (routing would change the
 * vector space, context and compression would change the input, prompt
 * caching and batching do not exist for it), and the chat request model
 * has no place for token arrays or dimensions. So this is a small path of
 * its own that reuses the job machinery: the record is stored by JobStore
 * ('running', surface 'embeddings'), finished by JobOutcomes (so it shows in
 * GET /v1/jobs/:id and is counted in /v1/savings in the same atomic step),
 * priced by a waterfall whose only lever is the exact cache (per tenant:
 * same input, model, dimensions and encoding format → the stored answer).
 */
export class EmbeddingsPath {
  constructor(private readonly deps: EmbeddingsPathDeps) {}

  async run(tenant: string, body: EmbeddingsBody, onStart: (job: JobRecord) => void, signal?: AbortSignal): Promise<JobRecord> {
    const model = this.embeddingModel(body.model);
    const request: EmbeddingsRequest = { model: model.id, input: body.input, dimensions: body.dimensions, encoding_format: body.encoding_format ?? 'float', user: body.user };
    if (!this.deps.isProviderConfigured(model.provider)) throw ApiError.invalid(`model "${model.id}" needs provider ${model.provider}, which is not configured on this server`);
    if (request.dimensions !== undefined && request.dimensions > model.dimensions) throw ApiError.invalid(`dimensions must be at most ${model.dimensions} for ${model.id}`);
    if (!this.deps.store.isReady()) throw ApiError.unavailable('Parsimony cannot reach its Redis right now; retry shortly');
    const now = new Date().toISOString();
    const job: JobRecord = {
      id: JobStore.newId(),
      tenant,
      status: 'running',
      created_at: now,
      started_at: now,
      options: { requested_model: body.model, latency: 'sync', surface: 'embeddings' },
      request: requestView(request),
      attempts: 1,
    };
    onStart(job);
    await this.deps.store.create(job);
    const route: RouteDecision = { model: model.id, provider: model.provider, tier: 'small', reason: 'embeddings: the model asked for (embeddings are never routed)' };
    const log = this.deps.log.child({ jobId: job.id, tenant });
    try {
      const cache = this.deps.cache;
      const key = cache?.key(tenant, request);
      const lookupStarted = Date.now();
      const stored = key ? await cache!.get(key) : undefined;
      const lookupMs = Date.now() - lookupStarted;
      const answer = stored ?? (await this.callProvider(model, request, log, signal));
      // Storing is best effort: the caller has its answer either way.
      if (key && !stored) await cache!.set(key, answer).catch((err: unknown) => log.warn({ err }, 'embeddings answer not cached'));
      const cost = embeddingJobCost(model, answer.input_tokens, stored !== undefined);
      const done = await this.deps.outcomes.complete(
        job.id,
        ['running'],
        {
          response: internalAnswer(job.id, model.id, answer.input_tokens),
          body: answer.body,
          cost,
          deliveredBy: stored ? 'cache' : 'execute',
          route,
          annotations: { cache: cacheAnnotation(key !== undefined, stored !== undefined, lookupMs) },
        },
        job,
      );
      log.info({ model: model.id, cacheHit: stored !== undefined, cost: cost.actual_usd }, 'embeddings job completed');
      return done.job ?? job;
    } catch (err) {
      const failed = await this.deps.outcomes.fail(job.id, ['running'], toJobError(err), route);
      log.warn({ err }, 'embeddings job failed');
      return failed.job ?? job;
    }
  }

  private embeddingModel(id: string): EmbeddingModelEntry {
    const model = this.deps.catalog.embedding(id);
    if (!model) {
      const known = this.deps.catalog.file.embeddings.map((e) => e.id).join(', ');
      throw ApiError.invalid(`model ${id} is not an embedding model of the catalog; use one of: ${known}`);
    }
    return model;
  }

  private callProvider(model: EmbeddingModelEntry, request: EmbeddingsRequest, log: Logger, signal?: AbortSignal) {
    const adapter = this.deps.adapterFor(model.provider);
    if (!adapter.embed) throw ApiError.invalid(`provider ${model.provider} offers no embeddings`);
    const embed = adapter.embed.bind(adapter);
    return callWithRetries(() => embed(request, { signal }), {
      attempts: this.deps.attempts,
      signal,
      onRetry: ({ attempt, delayMs, error }) => log.warn({ attempt, delayMs, status: error.status }, 'provider embeddings call failed; retrying'),
    });
  }
}

/** The same `cache` annotation chat jobs carry (headers, metrics and savings read it). */
function cacheAnnotation(enabled: boolean, hit: boolean, lookupMs: number): CacheAnnotation {
  if (!enabled) return { hit: false, status: 'bypass', lookup_ms: 0 };
  return { hit, status: hit ? 'hit' : 'miss', kind: 'exact', lookup_ms: lookupMs };
}

/**
 * The job's `request` in the internal shape, for views that read it (the
 * dashboard, GET /v1/jobs): one user turn with the input texts. The exact
 * embeddings request is in `provider_options` (token-array inputs, which
 * have no text, only there).
 */
function requestView(request: EmbeddingsRequest): ChatRequest {
  const inputs = typeof request.input === 'string' ? [request.input] : request.input;
  const texts = inputs.filter((x): x is string => typeof x === 'string');
  return {
    model: request.model,
    system: [],
    messages: [{ role: 'user', content: texts.map((text) => ({ type: 'text' as const, text })) }],
    sampling: {},
    provider_options: { openai: { embeddings: request } },
  };
}

/** The internal answer of an embeddings job: no text, only the usage (what the ledger and the metrics read). */
function internalAnswer(jobId: string, model: string, inputTokens: number): ChatResponse {
  return {
    id: jobId,
    model,
    created: Math.floor(Date.now() / 1000),
    content: null,
    tool_calls: [],
    finish_reason: 'stop',
    usage: { input_tokens: inputTokens, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0 },
  };
}
