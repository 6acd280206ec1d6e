import { createLogger } from '../../shared/platform/logging/logger';
import { PROVIDERS, ProviderRegistry } from '../../shared/providers/registry';
import { OpenAIAdapter } from '../../shared/providers/openai/adapter';
import { AnthropicAdapter } from '../../shared/providers/anthropic/adapter';

const log = createLogger({ service: 'test', level: 'silent' });

describe('ProviderRegistry', () => {
  test('PROVIDERS lists each provider once with its env keys', () => {
    expect(PROVIDERS.map((p) => [p.name, p.envKeys])).toEqual([
      ['openai', { apiKey: 'OPENAI_API_KEY', baseURL: 'OPENAI_BASE_URL' }],
      ['anthropic', { apiKey: 'ANTHROPIC_API_KEY', baseURL: 'ANTHROPIC_BASE_URL' }],
    ]);
  });

  test('fromEnv configures the providers whose API key is set', () => {
    const registry = ProviderRegistry.fromEnv({ OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', ANTHROPIC_API_KEY: '  ', PORT: 8080 }, log);
    expect(registry.configured()).toEqual(['openai']);
    expect(registry.has('openai')).toBe(true);
    expect(registry.has('anthropic')).toBe(false);
    expect(registry.get('openai')).toBeInstanceOf(OpenAIAdapter);
    expect(registry.get('openai').name).toBe('openai');
  });

  test('asking for an unconfigured or unknown provider names what to do', () => {
    const registry = ProviderRegistry.fromEnv({ ANTHROPIC_API_KEY: 'k' }, log);
    expect(registry.get('anthropic')).toBeInstanceOf(AnthropicAdapter);
    expect(() => registry.get('openai')).toThrow('provider "openai" is not configured: set OPENAI_API_KEY');
    expect(() => registry.get('mistral')).toThrow(/unknown provider "mistral"; known providers: openai, anthropic/);
  });

  test('the constructor validates connections', () => {
    expect(new ProviderRegistry({ anthropic: { apiKey: 'k', baseURL: 'http://127.0.0.1:1' } }, log).configured()).toEqual(['anthropic']);
    expect(() => new ProviderRegistry({ openai: { apiKey: '' } }, log)).toThrow(/openai.*misconfigured.*API key is empty/s);
    expect(() => new ProviderRegistry({ openai: { apiKey: 'k', baseURL: 'not a url' } }, log)).toThrow(/base URL/);
    expect(() => new ProviderRegistry({ cohere: { apiKey: 'k' } }, log)).toThrow(/unknown provider "cohere"/);
  });

  test('an empty environment configures nothing', () => {
    expect(ProviderRegistry.fromEnv({}, log).configured()).toEqual([]);
  });
});
