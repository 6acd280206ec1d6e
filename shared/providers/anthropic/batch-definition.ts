import type { BatchProviderDefinition } from '../batch-registry-types';
import { AnthropicBatchProvider } from './batch-client';

/** Anthropic Message Batches, configured by the same ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL as the synchronous adapter. */
export const anthropicBatchProvider: BatchProviderDefinition = {
  name: 'anthropic',
  create: (connection, log) => new AnthropicBatchProvider(connection, log.child({ provider: 'anthropic', component: 'batch' })),
};
