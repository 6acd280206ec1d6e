import type { ProviderDefinition } from '../provider-adapter';
import { OpenAIAdapter } from './adapter';
import { OpenAIBatchProvider } from './batch-client';
import { PROVIDER_NAME } from './errors';

/** OpenAI (or any OpenAI-compatible server via OPENAI_BASE_URL, which includes `/v1`). */
export const openAIProvider: ProviderDefinition = {
  name: PROVIDER_NAME,
  envKeys: { apiKey: 'OPENAI_API_KEY', baseURL: 'OPENAI_BASE_URL' },
  create: (connection, logger) => new OpenAIAdapter(connection, logger.child({ provider: PROVIDER_NAME })),
  batch: { create: (connection, log) => new OpenAIBatchProvider(connection, log.child({ provider: PROVIDER_NAME, component: 'batch' })) },
};
