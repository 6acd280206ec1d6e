import type { IncomingMessage } from 'node:http';
import type { Provider } from './errors';
import type { RequestContext } from './context';
import { handleChat } from './openai/chat';
import { handleEmbeddings } from './openai/embeddings';
import { handleListModels, handleRetrieveModel } from './openai/models';
import { handleCreateResponse, handleDeleteResponse, handleListInputItems, handleRetrieveResponse } from './openai/responses';
import { handleDeleteFile, handleFileContent, handleListFiles, handleRetrieveFile, handleUpload } from './openai/files';
import { handleCancelBatch, handleCreateBatch, handleListBatches, handleRetrieveBatch } from './openai/batch-handlers';
import { handleCountTokens, handleMessages } from './anthropic/messages';
import { handleListAnthropicModels, handleRetrieveAnthropicModel } from './anthropic/models';
import {
  handleCancelMessageBatch,
  handleCreateMessageBatch,
  handleDeleteMessageBatch,
  handleListMessageBatches,
  handleMessageBatchResults,
  handleRetrieveMessageBatch,
} from './anthropic/batch-handlers';

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path pattern; `:name` segments become params. Also the stats key. */
  path: string;
  provider: Provider;
  /**
   * For a path both providers serve (GET /v1/models): which one this request is for. The real APIs are two hosts;
   * the simulator serves both on one, so the Anthropic SDK's `anthropic-version` header decides.
   */
  providerFor?: (req: IncomingMessage) => Provider;
  /** The handler reads the (multipart) body itself. */
  multipart?: boolean;
  handler: (ctx: RequestContext) => void | Promise<void>;
}

function byAnthropicVersion(req: IncomingMessage): Provider {
  return req.headers['anthropic-version'] ? 'anthropic' : 'openai';
}

/** Every provider endpoint the simulator serves. */
export const ROUTES: Route[] = [
  { method: 'POST', path: '/v1/chat/completions', provider: 'openai', handler: handleChat },
  { method: 'POST', path: '/v1/embeddings', provider: 'openai', handler: handleEmbeddings },
  {
    method: 'GET',
    path: '/v1/models',
    provider: 'openai',
    providerFor: byAnthropicVersion,
    handler: (ctx) => (ctx.provider === 'anthropic' ? handleListAnthropicModels(ctx) : handleListModels(ctx)),
  },
  {
    method: 'GET',
    path: '/v1/models/:id',
    provider: 'openai',
    providerFor: byAnthropicVersion,
    handler: (ctx) => (ctx.provider === 'anthropic' ? handleRetrieveAnthropicModel(ctx) : handleRetrieveModel(ctx)),
  },
  { method: 'POST', path: '/v1/responses', provider: 'openai', handler: handleCreateResponse },
  { method: 'GET', path: '/v1/responses/:id', provider: 'openai', handler: handleRetrieveResponse },
  { method: 'DELETE', path: '/v1/responses/:id', provider: 'openai', handler: handleDeleteResponse },
  { method: 'GET', path: '/v1/responses/:id/input_items', provider: 'openai', handler: handleListInputItems },
  { method: 'POST', path: '/v1/files', provider: 'openai', multipart: true, handler: handleUpload },
  { method: 'GET', path: '/v1/files', provider: 'openai', handler: handleListFiles },
  { method: 'GET', path: '/v1/files/:id', provider: 'openai', handler: handleRetrieveFile },
  { method: 'DELETE', path: '/v1/files/:id', provider: 'openai', handler: handleDeleteFile },
  { method: 'GET', path: '/v1/files/:id/content', provider: 'openai', handler: handleFileContent },
  { method: 'POST', path: '/v1/batches', provider: 'openai', handler: handleCreateBatch },
  { method: 'GET', path: '/v1/batches', provider: 'openai', handler: handleListBatches },
  { method: 'GET', path: '/v1/batches/:id', provider: 'openai', handler: handleRetrieveBatch },
  { method: 'POST', path: '/v1/batches/:id/cancel', provider: 'openai', handler: handleCancelBatch },
  { method: 'POST', path: '/v1/messages', provider: 'anthropic', handler: handleMessages },
  { method: 'POST', path: '/v1/messages/count_tokens', provider: 'anthropic', handler: handleCountTokens },
  { method: 'POST', path: '/v1/messages/batches', provider: 'anthropic', handler: handleCreateMessageBatch },
  { method: 'GET', path: '/v1/messages/batches', provider: 'anthropic', handler: handleListMessageBatches },
  { method: 'GET', path: '/v1/messages/batches/:id', provider: 'anthropic', handler: handleRetrieveMessageBatch },
  { method: 'DELETE', path: '/v1/messages/batches/:id', provider: 'anthropic', handler: handleDeleteMessageBatch },
  { method: 'POST', path: '/v1/messages/batches/:id/cancel', provider: 'anthropic', handler: handleCancelMessageBatch },
  { method: 'GET', path: '/v1/messages/batches/:id/results', provider: 'anthropic', handler: handleMessageBatchResults },
];
