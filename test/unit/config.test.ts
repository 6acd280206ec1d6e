import { ApiKeyRing } from '../../shared/platform/config/api-keys';
import { availableParallelism } from 'node:os';
import { AllInOneEnvSchema, CommonEnvSchema, ConfigError, ProducerEnvSchema, parseEnv } from '../../shared/platform/config/env';
import { parseDeadline } from '../../shared/core/jobs/deadline';
import { Catalog, CatalogFileSchema } from '../../shared/core/catalog/catalog';

describe('environment', () => {
  test('defaults apply', () => {
    const env = parseEnv(CommonEnvSchema, {});
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(env.PARSIMONY_QUEUE_PREFIX).toBe('parsimony');
  });
  test('a bad variable fails with a one-line message naming it', () => {
    expect(() => parseEnv(ProducerEnvSchema, { PARSIMONY_API_KEYS: 'a:b', PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => parseEnv(ProducerEnvSchema, { PARSIMONY_API_KEYS: 'a:b', PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => parseEnv(ProducerEnvSchema, {})).toThrow(/PARSIMONY_API_KEYS/);
  });
  test('PARSIMONY_WORKERS defaults to cores − 1, at least 1, and refuses 0', () => {
    expect(parseEnv(AllInOneEnvSchema, {}).PARSIMONY_WORKERS).toBe(Math.max(1, availableParallelism() - 1));
    expect(parseEnv(AllInOneEnvSchema, { PARSIMONY_WORKERS: '3' }).PARSIMONY_WORKERS).toBe(3);
    expect(() => parseEnv(AllInOneEnvSchema, { PARSIMONY_WORKERS: '0' })).toThrow(/PARSIMONY_WORKERS/);
  });
});

describe('API keys', () => {
  const ring = new ApiKeyRing('acme:k-1, globex:k-2,acme:k-3');
  test('maps keys to tenants', () => {
    expect(ring.tenantFor('k-1')).toBe('acme');
    expect(ring.tenantFor('k-3')).toBe('acme');
    expect(ring.tenantFor('k-2')).toBe('globex');
    expect(ring.tenantFor('k-4')).toBeUndefined();
    expect(ring.tenants.sort()).toEqual(['acme', 'globex']);
  });
  test('rejects malformed lists', () => {
    expect(() => new ApiKeyRing('nokey')).toThrow(/tenant:key/);
    expect(() => new ApiKeyRing('bad tenant:k')).toThrow(/tenant/);
    expect(() => new ApiKeyRing(' , ')).toThrow();
  });
});

describe('deadlines', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  test('durations and ISO times', () => {
    expect(parseDeadline('6h', now)).toEqual({ at: new Date(now + 6 * 3600_000) });
    expect(parseDeadline('90s', now)).toEqual({ at: new Date(now + 90_000) });
    expect(parseDeadline('2026-01-02T00:00:00Z', now)).toEqual({ at: new Date('2026-01-02T00:00:00Z') });
  });
  test('past or malformed deadlines are errors', () => {
    expect(parseDeadline('2025-01-01T00:00:00Z', now)).toHaveProperty('error');
    expect(parseDeadline('soon', now)).toHaveProperty('error');
    expect(parseDeadline('0h', now)).toHaveProperty('error');
  });
});

describe('catalog', () => {
  const catalog = Catalog.load();
  test('ships at least one model per tier for each provider, with dated prices', () => {
    for (const provider of ['openai', 'anthropic']) for (const tier of ['small', 'mid', 'frontier'] as const) expect(catalog.byTier(tier, provider).length).toBeGreaterThan(0);
    expect(catalog.file.prices_checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(catalog.defaultFrontier.tier).toBe('frontier');
  });
  test('rejects a default frontier model that is not frontier tier', () => {
    const bad = { ...catalog.file, defaults: { ...catalog.file.defaults, frontier: 'gpt-4.1-mini' } };
    expect(CatalogFileSchema.safeParse(bad).success).toBe(false);
  });
});
