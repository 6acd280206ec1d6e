import type { ModelEntry } from '../../core/catalog/catalog';
import type { ChatRequest } from '../../core/chat-model';
import { chatRequestToOpenAIBody } from '../../surfaces/chat-completions/from-internal';

/** The endpoint every line targets; one batch = one endpoint. */
export const OPENAI_BATCH_ENDPOINT = '/v1/chat/completions';

/** One input-file line: `{custom_id, method: "POST", url, body}` (the same body the synchronous adapter sends). */
export function openAIBatchLine(customId: string, request: ChatRequest, model: ModelEntry): string {
  const body = chatRequestToOpenAIBody(request, model.provider_model ?? model.id, model);
  return JSON.stringify({ custom_id: customId, method: 'POST', url: OPENAI_BATCH_ENDPOINT, body });
}

/** Input file name: names the intent, so an upload orphaned by a crash can be found and reused. */
export function inputFileName(intentId: string): string {
  return `parsimony-${intentId}.jsonl`;
}
