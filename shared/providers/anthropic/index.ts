import type { ProviderDefinition } from '../provider-adapter';
import { AnthropicAdapter } from './adapter';
import { AnthropicBatchProvider } from './batch-client';
import { PROVIDER_NAME } from './errors';

/** Anthropic; ANTHROPIC_BASE_URL is the host root, without `/v1`. */
export const anthropicProvider: ProviderDefinition = {
  name: PROVIDER_NAME,
  envKeys: { apiKey: 'ANTHROPIC_API_KEY', baseURL: 'ANTHROPIC_BASE_URL' },
  create: (connection, logger) => new AnthropicAdapter(connection, logger.child({ provider: PROVIDER_NAME })),
  batch: { create: (connection, log) => new AnthropicBatchProvider(connection, log.child({ provider: PROVIDER_NAME, component: 'batch' })) },
};
