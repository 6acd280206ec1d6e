import { z } from 'zod';
import type { Logger } from '../platform/logging/logger';
import type { ProviderAdapter, ProviderConnection, ProviderDefinition } from './provider-adapter';
import { anthropicProvider } from './anthropic';
import { openAIProvider } from './openai';

/** Every provider Parsimony can call. Adding one = a folder under shared/providers/ and one line here. */
export const PROVIDERS: readonly ProviderDefinition[] = [openAIProvider, anthropicProvider];

const ConnectionSchema = z
  .object({
    apiKey: z.string().min(1, 'API key is empty'),
    baseURL: z.url({ protocol: /^https?$/, error: 'base URL must be an http(s) URL' }).optional(),
    timeoutMs: z.number().int().positive().optional(),
  })
  .strict();

/**
 * The configured provider adapters, created once at start-up. A provider is
 * configured when its API key is set; asking for one that is not is a clear
 * error naming the variable to set.
 */
export class ProviderRegistry {
  private readonly adapters = new Map<string, ProviderAdapter>();

  constructor(
    connections: Readonly<Record<string, ProviderConnection>>,
    logger: Logger,
    private readonly definitions: readonly ProviderDefinition[] = PROVIDERS,
  ) {
    for (const [name, connection] of Object.entries(connections)) {
      const definition = definitions.find((d) => d.name === name);
      if (!definition) throw new Error(`unknown provider "${name}"; known providers: ${definitions.map((d) => d.name).join(', ')}`);
      const parsed = ConnectionSchema.safeParse(connection);
      if (!parsed.success) throw new Error(`provider "${name}" is misconfigured: ${z.prettifyError(parsed.error)}`);
      this.adapters.set(name, definition.create(parsed.data, logger));
    }
  }

  /**
   * Reads each provider's `envKeys` (e.g. OPENAI_API_KEY / OPENAI_BASE_URL).
   * Providers without an API key are left unconfigured; empty values count as
   * unset. Accepts process.env or an already-validated env object (non-string
   * values are ignored).
   */
  static fromEnv(env: Readonly<Record<string, unknown>>, logger: Logger, definitions: readonly ProviderDefinition[] = PROVIDERS): ProviderRegistry {
    const read = (key: string) => (typeof env[key] === 'string' ? (env[key] as string).trim() : '');
    const connections: Record<string, ProviderConnection> = {};
    for (const d of definitions) {
      const apiKey = read(d.envKeys.apiKey);
      if (!apiKey) continue;
      const baseURL = read(d.envKeys.baseURL);
      connections[d.name] = baseURL ? { apiKey, baseURL } : { apiKey };
    }
    return new ProviderRegistry(connections, logger, definitions);
  }

  has(name: string): boolean {
    return this.adapters.has(name);
  }

  /** The adapter of a configured provider; throws naming the missing variable otherwise. */
  get(name: string): ProviderAdapter {
    const adapter = this.adapters.get(name);
    if (adapter) return adapter;
    const definition = this.definitions.find((d) => d.name === name);
    if (!definition) throw new Error(`unknown provider "${name}"; known providers: ${this.definitions.map((d) => d.name).join(', ')}`);
    throw new Error(`provider "${name}" is not configured: set ${definition.envKeys.apiKey}`);
  }

  /** Names of the configured providers, in PROVIDERS order. */
  configured(): string[] {
    return this.definitions.map((d) => d.name).filter((n) => this.adapters.has(n));
  }
}
