import type { Logger } from '../platform/logging/logger';
import { PROVIDERS } from './registry';
import type { BatchProvider } from '../levers/batch/batch-provider';
import { anthropicBatchProvider } from './anthropic/batch-definition';
import { openAIBatchProvider } from './openai/batch-definition';
import type { BatchConnection, BatchProviderDefinition } from './batch-registry-types';

/** Every provider whose batch API Parsimony uses. Adding one = a batch-definition.ts in shared/providers/<name>/ and one line here. */
export const BATCH_PROVIDERS: readonly BatchProviderDefinition[] = [openAIBatchProvider, anthropicBatchProvider];

/** Whether the batch lever can send this catalog provider's requests to a batch API. */
export function hasBatchApi(provider: string): boolean {
  return BATCH_PROVIDERS.some((d) => d.name === provider);
}

/**
 * The configured batch providers. A provider is configured when its
 * synchronous adapter is: the same API key and base URL variables
 * (shared/providers/registry.ts `envKeys`).
 */
export class BatchProviderRegistry {
  private readonly providers = new Map<string, BatchProvider>();

  constructor(connections: Readonly<Record<string, BatchConnection>>, log: Logger, definitions: readonly BatchProviderDefinition[] = BATCH_PROVIDERS) {
    for (const [name, connection] of Object.entries(connections)) {
      const definition = definitions.find((d) => d.name === name);
      if (definition) this.providers.set(name, definition.create(connection, log));
    }
  }

  static fromEnv(env: Readonly<Record<string, unknown>>, log: Logger, timeoutMs?: number): BatchProviderRegistry {
    const read = (key: string) => (typeof env[key] === 'string' ? (env[key] as string).trim() : '');
    const connections: Record<string, BatchConnection> = {};
    for (const definition of BATCH_PROVIDERS) {
      const sync = PROVIDERS.find((p) => p.name === definition.name);
      if (!sync) continue;
      const apiKey = read(sync.envKeys.apiKey);
      if (!apiKey) continue;
      const baseURL = read(sync.envKeys.baseURL) || undefined;
      connections[definition.name] = { apiKey, baseURL, timeoutMs };
    }
    return new BatchProviderRegistry(connections, log);
  }

  has(name: string): boolean {
    return this.providers.has(name);
  }

  /** The batch provider, or undefined when its API key is not set. */
  find(name: string): BatchProvider | undefined {
    return this.providers.get(name);
  }

  get(name: string): BatchProvider {
    const provider = this.providers.get(name);
    if (!provider) throw new Error(`no batch provider "${name}" is configured`);
    return provider;
  }
}
