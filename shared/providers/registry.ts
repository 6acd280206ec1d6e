import { z } from 'zod';
import type { Logger } from '../platform/logging/logger';
import type { BatchProvider } from '../levers/batch/batch-provider';
import type { BatchConnection, ProviderAdapter, ProviderConnection, ProviderDefinition } from './provider-adapter';
import { anthropicProvider } from './anthropic';
import { openAIProvider } from './openai';

/**
 * Every provider Parsimony can call, each from its folder's index.ts (adapter, and batch client when it has one).
 * Adding a provider = a folder under shared/providers/ and one line here.
 */
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

/** Providers whose batch API the batch lever uses. */
export const BATCH_PROVIDERS: readonly ProviderDefinition[] = PROVIDERS.filter((d) => d.batch);

/** Whether the batch lever can send this catalog provider's requests to a batch API. */
export function hasBatchApi(provider: string): boolean {
  return BATCH_PROVIDERS.some((d) => d.name === provider);
}

/**
 * The configured batch clients. A provider's batch client is configured when
 * its synchronous adapter is: the same API key and base URL variables (`envKeys`).
 */
export class BatchProviderRegistry {
  private readonly providers = new Map<string, BatchProvider>();

  constructor(connections: Readonly<Record<string, BatchConnection>>, log: Logger, definitions: readonly ProviderDefinition[] = PROVIDERS) {
    for (const [name, connection] of Object.entries(connections)) {
      const batch = definitions.find((d) => d.name === name)?.batch;
      if (batch) this.providers.set(name, batch.create(connection, log));
    }
  }

  static fromEnv(env: Readonly<Record<string, unknown>>, log: Logger, timeoutMs?: number): BatchProviderRegistry {
    const read = (key: string) => (typeof env[key] === 'string' ? (env[key] as string).trim() : '');
    const connections: Record<string, BatchConnection> = {};
    for (const definition of BATCH_PROVIDERS) {
      const apiKey = read(definition.envKeys.apiKey);
      if (!apiKey) continue;
      const baseURL = read(definition.envKeys.baseURL) || undefined;
      connections[definition.name] = { apiKey, baseURL, timeoutMs };
    }
    return new BatchProviderRegistry(connections, log);
  }

  has(name: string): boolean {
    return this.providers.has(name);
  }

  /** The batch client, or undefined when its API key is not set. */
  find(name: string): BatchProvider | undefined {
    return this.providers.get(name);
  }

  get(name: string): BatchProvider {
    const provider = this.providers.get(name);
    if (!provider) throw new Error(`no batch provider "${name}" is configured`);
    return provider;
  }
}
