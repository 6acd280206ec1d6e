import type { ModelEntry } from '../../core/catalog/catalog';
import type { ChatRequest } from '../../core/chat-model';
import { chatRequestToAnthropicParams } from './to-anthropic';

/** One element of the `requests` array: `{custom_id, params}` (the same params the synchronous adapter sends). */
export function anthropicBatchRequest(customId: string, request: ChatRequest, model: ModelEntry): string {
  return JSON.stringify({ custom_id: customId, params: chatRequestToAnthropicParams(request, model) });
}
