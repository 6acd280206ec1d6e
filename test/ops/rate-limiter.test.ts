import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ConfigError } from '../../shared/platform/config/env';
import type { JobCost, JobRecord } from '../../shared/core/jobs/job-record';
import { JobOutcomes } from '../../shared/core/jobs/job-outcomes';
import { JobStore } from '../../shared/core/jobs/job-store';
import { estimateRequestTokens } from '../../shared/core/limits/estimate-tokens';
import { TenantLimitsPolicy } from '../../shared/core/limits/tenant-limits';
import { TenantRateLimiter } from '../../shared/core/limits/tenant-rate-limiter';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis';

const prefix = uniquePrefix('ops-limiter');
// Two connections stand in for two producer processes sharing one Redis.
let redisA: Redis;
let redisB: Redis;
beforeAll(() => {
  redisA = new Redis(REDIS_URL);
  redisB = new Redis(REDIS_URL);
});
afterAll(async () => {
  await deletePrefix(prefix);
  redisA.disconnect();
  redisB.disconnect();
});

test('requests per minute are shared across processes, refusals carry a retry-after within the window and are not counted', async () => {
  const a = new TenantRateLimiter(redisA, prefix);
  const b = new TenantRateLimiter(redisB, prefix);
  const limits = { requests_per_minute: 2 };
  expect(await a.admit('rpm', limits, 0)).toMatchObject({ ok: true, remaining: { requests: 1 } });
  expect(await b.admit('rpm', limits, 0)).toMatchObject({ ok: true, remaining: { requests: 0 } });
  for (const limiter of [a, b, a]) {
    const refused = await limiter.admit('rpm', limits, 0);
    expect(refused).toMatchObject({ ok: false, limit: 'requests_per_minute' });
    const retry = (refused as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(120);
  }
  // Another tenant has its own window.
  expect((await a.admit('rpm-other', limits, 0)).ok).toBe(true);
});

test('tokens per minute: estimated tokens add up; a request larger than the limit is never admitted', async () => {
  const limiter = new TenantRateLimiter(redisA, prefix);
  const limits = { tokens_per_minute: 1000 };
  expect(await limiter.admit('tpm', limits, 600)).toMatchObject({ ok: true, remaining: { tokens: 400 } });
  expect(await limiter.admit('tpm', limits, 500)).toMatchObject({ ok: false, limit: 'tokens_per_minute' });
  expect(await limiter.admit('tpm', limits, 400)).toMatchObject({ ok: true, remaining: { tokens: 0 } });
  expect(await limiter.admit('tpm', limits, 1001)).toEqual({ ok: false, limit: 'request_too_large', tokens: 1001 });
});

function storedJob(tenant: string): JobRecord {
  return {
    id: JobStore.newId(),
    tenant,
    status: 'queued',
    created_at: new Date().toISOString(),
    options: { requested_model: 'auto', latency: 'batch' },
    request: { model: 'auto', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], sampling: {} } as never,
    attempts: 0,
  };
}
const cost = (actual: number): JobCost => ({
  baseline_usd: actual * 2,
  actual_usd: actual,
  saved_usd: actual,
  overhead_usd: 0,
  by_lever: { routing: 0, cache: 0, context: 0, compression: 0, prompt_cache: 0, batch: actual },
});

test('usd per day reads the day’s actual spend from the savings aggregates: batch jobs count, each exactly once', async () => {
  const store = new JobStore(redisA, { prefix, retentionSeconds: 60 });
  const outcomes = new JobOutcomes(store, prefix);
  const limiter = new TenantRateLimiter(redisB, prefix);
  const limits = { usd_per_day: 1 };
  const completeAsBatch = async (usd: number) => {
    const job = storedJob('spender');
    await store.create(job);
    await store.transition(job.id, ['queued'], 'running');
    const completion = {
      response: {
        id: 'r',
        model: 'gpt-4.1-mini',
        created: 0,
        content: 'ok',
        tool_calls: [],
        finish_reason: 'stop' as const,
        usage: { input_tokens: 1, output_tokens: 1, cached_input_tokens: 0, cache_write_tokens: 0 },
      },
      cost: cost(usd),
      deliveredBy: 'batch',
    };
    expect((await outcomes.complete(job.id, ['running'], completion)).ok).toBe(true);
    // A re-delivered completion of the same job changes nothing.
    expect((await outcomes.complete(job.id, ['running'], completion)).ok).toBe(false);
  };

  await completeAsBatch(0.6);
  const first = await limiter.admit('spender', limits, 0);
  expect(first).toMatchObject({ ok: true });
  expect((first as { spentUsd: number }).spentUsd).toBeCloseTo(0.6, 10);

  await completeAsBatch(0.4);
  const refused = await limiter.admit('spender', limits, 0);
  expect(refused).toMatchObject({ ok: false, limit: 'usd_per_day' });
  expect((refused as { spentUsd: number }).spentUsd).toBeCloseTo(1.0, 10);
  // Retry after: the next UTC day.
  const now = new Date();
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(Math.floor((midnight - now.getTime()) / 1000) - 5);
  expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(86_400);
});

test('policy: "*" default merged field by field, null lifts a limit, inline JSON or a file', () => {
  const spec = { '*': { requests_per_minute: 600, usd_per_day: 50 }, acme: { usd_per_day: 5, tokens_per_minute: 200000 }, globex: { requests_per_minute: null } };
  const inline = TenantLimitsPolicy.fromSpec(JSON.stringify(spec))!;
  expect(inline.for('acme')).toEqual({ requests_per_minute: 600, tokens_per_minute: 200000, usd_per_day: 5 });
  expect(inline.for('globex')).toEqual({ usd_per_day: 50 });
  expect(inline.for('initech')).toEqual({ requests_per_minute: 600, usd_per_day: 50 });
  expect(TenantLimitsPolicy.fromSpec(JSON.stringify({ acme: { usd_per_day: 5 } }))!.for('other')).toEqual({});

  const file = join(mkdtempSync(join(tmpdir(), 'limits-')), 'limits.json');
  writeFileSync(file, JSON.stringify(spec));
  expect(TenantLimitsPolicy.fromSpec(file)!.for('acme')).toEqual(inline.for('acme'));
  expect(TenantLimitsPolicy.fromSpec(undefined)).toBeUndefined();
  expect(TenantLimitsPolicy.fromSpec('  ')).toBeUndefined();
});

test('policy errors name PARSIMONY_TENANT_LIMITS', () => {
  const bad = ['{not json', '/no/such/limits.json', '{"acme": {"requests_per_hour": 5}}', '{"acme": {"usd_per_day": -1}}', '{"bad tenant!": {}}'];
  for (const spec of bad) {
    expect(() => TenantLimitsPolicy.fromSpec(spec)).toThrow(ConfigError);
    expect(() => TenantLimitsPolicy.fromSpec(spec)).toThrow(/PARSIMONY_TENANT_LIMITS/);
  }
});

test('token estimate: message characters / 4 plus the requested output tokens, for chat bodies and job envelopes', () => {
  const chat = { model: 'auto', messages: [{ role: 'user', content: 'x'.repeat(396) }] };
  // 396 content chars + "user" (4) = 400 chars → 100 tokens.
  expect(estimateRequestTokens(chat)).toBe(100);
  expect(estimateRequestTokens({ ...chat, max_tokens: 50 })).toBe(150);
  expect(estimateRequestTokens({ ...chat, max_completion_tokens: 70, max_tokens: 50 })).toBe(170);
  expect(estimateRequestTokens({ request: chat, latency: 'async' })).toBe(100);
  expect(estimateRequestTokens(undefined)).toBe(0);
  expect(estimateRequestTokens({ input_file_id: 'file-1' })).toBe(Math.ceil(JSON.stringify({ input_file_id: 'file-1' }).length / 4));
});
