import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Redis from 'ioredis';
import pino from 'pino';
import { Catalog } from '../../shared/core/catalog/catalog';
import { CostLedger } from '../../shared/core/accounting/cost-ledger';
import type { JobRecord } from '../../shared/core/jobs/job-record';
import type { ChatRequest, ChatResponse } from '../../shared/core/chat-model';
import type { PipelineContext } from '../../shared/core/stage';
import { CacheStage, type CacheAnnotation } from '../../shared/levers/cache/cache-stage';
import { CacheWriter } from '../../shared/levers/cache/cache-writer';
import { CacheTenantPolicySchema, type CacheTenantPolicy } from '../../shared/levers/cache/cache-options';
import { createEmbedder, embedderConfigFromEnv } from '../../shared/levers/cache/embedders/create-embedder';
import { SemanticCache } from '../../shared/levers/cache/semantic-cache';
import { EmbeddedVectorStore } from '../../shared/levers/cache/stores/embedded-vector-store';
import type { VectorStore } from '../../shared/levers/cache/stores/vector-store';

export interface Pair {
  a: string;
  b: string;
  same: boolean;
}

export function readPairs(file: string): Pair[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const row = JSON.parse(l) as { a: string; b: string; same: boolean | number };
      return { a: row.a, b: row.b, same: row.same === true || row.same === 1 };
    });
}

export function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const log = pino({ level: 'silent' });
const catalog = Catalog.load();

export function chatRequest(text: string): ChatRequest {
  return { model: 'gpt-4.1-mini', system: [{ type: 'text', text: 'You are a helpful assistant.' }], messages: [{ role: 'user', content: [{ type: 'text', text }] }], sampling: {} };
}

function context(tenant: string, request: ChatRequest): PipelineContext {
  const job: JobRecord = {
    id: randomUUID(),
    tenant,
    status: 'running',
    created_at: new Date().toISOString(),
    options: { requested_model: 'auto', latency: 'sync' },
    request,
    attempts: 1,
  };
  return { job, request, route: { model: 'gpt-4.1-mini', provider: 'openai', tier: 'mid', reason: 'eval' }, ledger: new CostLedger(), annotations: {}, log };
}

/**
 * Runs labelled pairs through the real cache path — the CacheStage (scope,
 * exact tier, embedder, vector store, guards, single-flight) against a real
 * Redis under a unique prefix, one tenant per pair — and cleans up after.
 */
export class PairHarness {
  private policy: CacheTenantPolicy = CacheTenantPolicySchema.parse({});
  readonly redis: Redis;
  readonly prefix = `parsimony-eval-${process.pid}-${randomUUID().slice(0, 8)}`;
  readonly cache: SemanticCache;
  private readonly writer: CacheWriter;
  private readonly stage: CacheStage;
  private readonly lookupStage: CacheStage;

  /** `store` / `tenant`: the scale bench puts every pair in one big partition. */
  constructor(private readonly o: { store?: VectorStore; tenant?: (i: number) => string } = {}) {
    this.redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: false, maxRetriesPerRequest: 2 });
    const embedder = createEmbedder(embedderConfigFromEnv(), catalog);
    const store = o.store ?? new EmbeddedVectorStore({ dims: embedder.dimensions });
    this.cache = new SemanticCache({ redis: this.redis, prefix: this.prefix, embedder, store, policyOf: () => this.policy, log });
    this.writer = new CacheWriter(this.cache, log);
    this.stage = new CacheStage({ cache: this.cache, enqueueStore: async (p) => void (await this.writer.store(p)) });
    this.lookupStage = new CacheStage({ cache: this.cache, enqueueStore: async () => {}, singleFlight: false });
  }

  private tenantOf(i: number): string {
    return this.o.tenant?.(i) ?? `pair-${i}`;
  }

  get defaultThreshold(): number {
    return this.cache.defaultThreshold;
  }

  async init(): Promise<void> {
    await this.cache.store.init();
  }

  /** Stores a response for `pair.a` in the pair's own tenant, the way a completed job would. */
  async storeA(i: number, pair: Pair): Promise<void> {
    const ctx = context(this.tenantOf(i), chatRequest(pair.a));
    const outcome = await this.stage.run(ctx);
    if (outcome.kind !== 'continue') {
      if (this.o.tenant) return; // shared tenant (scale bench): already answered by an earlier pair
      throw new Error(`pair ${i}: a fresh tenant should miss`);
    }
    const response: ChatResponse = {
      id: `resp-${i}`,
      model: 'gpt-4.1-mini',
      content: `answer to: ${pair.a}`,
      tool_calls: [],
      finish_reason: 'stop',
      usage: { input_tokens: 20, output_tokens: 30, cached_input_tokens: 0, cache_write_tokens: 0 },
      created: Math.floor(Date.now() / 1000),
    };
    await this.stage.afterComplete!(ctx, response);
  }

  /** Looks `pair.b` up through the stage; returns the annotation and the stage time in ms. */
  async lookupB(i: number, pair: Pair, options: { threshold?: number } = {}): Promise<{ a: CacheAnnotation; ms: number }> {
    this.policy = CacheTenantPolicySchema.parse({ threshold: options.threshold });
    const ctx = context(this.tenantOf(i), chatRequest(pair.b));
    const t = performance.now();
    await this.lookupStage.run(ctx);
    const ms = performance.now() - t;
    return { a: ctx.annotations.cache as CacheAnnotation, ms };
  }

  async close(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await this.redis.del(...keys);
    } while (cursor !== '0');
    await this.cache.store.close();
    this.redis.disconnect();
  }
}
