import type { BatchProviderDefinition } from '../batch-registry-types';
import { OpenAIBatchProvider } from './batch-client';

/** OpenAI batches, configured by the same OPENAI_API_KEY / OPENAI_BASE_URL as the synchronous adapter. */
export const openAIBatchProvider: BatchProviderDefinition = {
  name: 'openai',
  create: (connection, log) => new OpenAIBatchProvider(connection, log.child({ provider: 'openai', component: 'batch' })),
};
