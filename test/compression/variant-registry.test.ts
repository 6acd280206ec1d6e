import { Redis } from 'ioredis';
import { PromptCompressionStage } from '../../shared/levers/compression/compression-stage';
import { sha256Hex } from '../../shared/levers/compression/prompt-hash';
import { RegisterVariantBodySchema, VariantRegistry, type RegressionReport } from '../../shared/levers/compression/variant-registry';
import { ApiError } from '../../shared/core/errors/api-error';
import type { ChatRequest } from '../../shared/core/chat-model';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis';
import { stageContext } from './stage-context';

const prefix = uniquePrefix('compression-variants');
let redis: Redis;
let registry: VariantRegistry;

const ORIGINAL = 'You are a helpful airline agent. You must always be polite. Please make sure to always verify the user id first.';
const COMPRESSED = 'You are a polite airline agent. Verify the user id first.';

function report(overrides: Partial<RegressionReport> = {}): RegressionReport {
  return {
    cases: 20,
    original_sha256: sha256Hex(ORIGINAL),
    compressed_sha256: sha256Hex(COMPRESSED),
    model: 'gpt-4.1-mini',
    agreement: 0.97,
    exact: 0.9,
    json_equal: null,
    similarity: 0.98,
    tokens: { original: 1000, compressed: 600, saved: 400, saved_pct: 0.4 },
    ...overrides,
  };
}

function request(system: string): ChatRequest {
  return { model: 'gpt-4.1', system: [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], sampling: {} };
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  registry = new VariantRegistry(redis, { keyPrefix: `${prefix}:` });
  await registry.registerFromBody('acme', RegisterVariantBodySchema.parse({ original: ORIGINAL, compressed: COMPRESSED, regression_report: report() }));
});
afterAll(async () => {
  redis.disconnect();
  await deletePrefix(prefix);
});

describe('VariantRegistry', () => {
  it('lists variants with their measured savings, per tenant', async () => {
    const list = await registry.listVariants('acme');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ original_sha256: sha256Hex(ORIGINAL), compressed: COMPRESSED, measured_saved_tokens: 400, measured_saved_pct: 0.4 });
    expect(await registry.listVariants('other')).toEqual([]);
  });

  it('refuses reports that do not match the texts or do not reach the agreement bar', async () => {
    const base = { original_sha256: sha256Hex(ORIGINAL), compressed: COMPRESSED };
    await expect(registry.registerVariant('acme', { ...base, regression_report: report({ agreement: 0.5 }) })).rejects.toBeInstanceOf(ApiError);
    await expect(registry.registerVariant('acme', { ...base, regression_report: report({ compressed_sha256: sha256Hex('other') }) })).rejects.toThrow(/compressed_sha256/);
    await expect(registry.registerVariant('acme', { ...base, original_sha256: sha256Hex('x'), regression_report: report() })).rejects.toThrow(/original_sha256/);
  });

  it('POST body schema: needs original or its hash, and they must match', () => {
    expect(RegisterVariantBodySchema.safeParse({ compressed: COMPRESSED, regression_report: report() }).success).toBe(false);
    expect(RegisterVariantBodySchema.safeParse({ original: ORIGINAL, original_sha256: sha256Hex('nope'), compressed: COMPRESSED, regression_report: report() }).success).toBe(false);
    expect(RegisterVariantBodySchema.safeParse({ original_sha256: sha256Hex(ORIGINAL), compressed: COMPRESSED, regression_report: report() }).success).toBe(true);
  });
});

describe('approved-variant substitution in the compression stage', () => {
  const stage = () => new PromptCompressionStage({ registry });

  it('substitutes on an exact hash match for the registering tenant, keeping the cache marker', async () => {
    const ctx = stageContext(request(ORIGINAL), 'acme');
    await stage().run(ctx);
    expect(ctx.request.system).toEqual([{ type: 'text', text: COMPRESSED, cache_control: { type: 'ephemeral' } }]);
    expect(ctx.annotations.compression).toMatchObject({ variant: { original_sha256: sha256Hex(ORIGINAL) } });
    expect(ctx.ledger.compressionTokensRemoved).toBeGreaterThan(0);
  });

  it('does not substitute for another tenant', async () => {
    const ctx = stageContext(request(ORIGINAL), 'globex');
    await stage().run(ctx);
    expect(ctx.request.system[0].text).toBe(ORIGINAL);
  });

  it('does not substitute when the prompt differs by a single character', async () => {
    for (const near of [`${ORIGINAL} `, ORIGINAL.replace('polite', 'Polite'), ORIGINAL.slice(0, -1)]) {
      const ctx = stageContext(request(near), 'acme');
      await stage().run(ctx);
      expect(ctx.request.system[0].text).not.toBe(COMPRESSED);
    }
  });
});
