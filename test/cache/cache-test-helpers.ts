import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import pino from 'pino';
import { CostLedger } from '../../shared/core/accounting/cost-ledger';
import type { JobOptions, JobRecord } from '../../shared/core/jobs/job-record';
import type { ChatRequest, ChatResponse } from '../../shared/core/chat-model';
import type { PipelineContext } from '../../shared/core/stage';
import { WordVectorEmbedder } from '../../shared/levers/cache/embedders/word-vector-embedder';

export const silentLog = pino({ level: 'silent' });

/** A Redis client and a unique key prefix; `cleanup` deletes every key under it and disconnects. */
export function testRedis(name: string): { redis: Redis; prefix: string; cleanup: () => Promise<void> } {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
  const prefix = `test-cache-${name}-${randomUUID().slice(0, 8)}`;
  return {
    redis,
    prefix,
    cleanup: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}

let embedder: WordVectorEmbedder | undefined;

/**
 * The real embedded embedder. The one-off conversion of the 290 MB package
 * JSON is cached under os.tmpdir()/parsimony-test-embeddings so only the
 * first test run on a machine pays for it (a few seconds).
 */
export function testEmbedder(): WordVectorEmbedder {
  embedder ??= WordVectorEmbedder.load({ dataDir: join(tmpdir(), 'parsimony-test-embeddings') });
  return embedder;
}

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'parsimony-cache-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function chat(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'gpt-4.1-mini',
    system: [{ type: 'text', text: 'You are a helpful assistant.' }],
    messages: [{ role: 'user', content: [{ type: 'text', text }] }],
    sampling: {},
    ...extra,
  };
}

export function answer(text: string, extra: Partial<ChatResponse> = {}): ChatResponse {
  return {
    id: `resp-${randomUUID().slice(0, 8)}`,
    model: 'gpt-4.1-mini',
    content: text,
    tool_calls: [],
    finish_reason: 'stop',
    usage: { input_tokens: 12, output_tokens: 20, cached_input_tokens: 0, cache_write_tokens: 0 },
    created: Math.floor(Date.now() / 1000),
    ...extra,
  };
}

export function pipelineContext(
  tenant: string,
  request: ChatRequest,
  options: Omit<Partial<JobOptions>, 'cache'> & { cache?: unknown } = {},
  tier: 'small' | 'mid' | 'frontier' = 'mid',
): PipelineContext {
  const job: JobRecord = {
    id: randomUUID(),
    tenant,
    status: 'running',
    created_at: new Date().toISOString(),
    options: { requested_model: 'auto', latency: 'sync', ...options } as JobOptions,
    request,
    attempts: 1,
  };
  return { job, request, route: { model: request.model, provider: 'openai', tier, reason: 'test' }, ledger: new CostLedger(), annotations: {}, log: silentLog };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
