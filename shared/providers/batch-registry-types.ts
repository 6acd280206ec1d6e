import type { Logger } from '../platform/logging/logger';
import type { BatchProvider } from '../levers/batch/batch-provider';

/** How a batch provider is configured: the same key and base URL as the provider's synchronous adapter. */
export interface BatchConnection {
  apiKey: string;
  baseURL?: string;
  /** Per-call timeout of the small calls, ms. */
  timeoutMs?: number;
}

/** What each shared/levers/batch/providers/<name>/index.ts exports. */
export interface BatchProviderDefinition {
  /** Catalog `provider` value; the env keys are the synchronous provider's (shared/providers/registry.ts). */
  readonly name: string;
  create(connection: BatchConnection, log: Logger): BatchProvider;
}
