import type { SurfaceDefinition } from '../registry';
import { completionId } from './completion-id';
import { chatResponseToCompletion } from './from-internal';
import { ChatCompletionBodySchema } from './request-schema';
import { openAIBodyToChatRequest } from './to-internal';

/** OpenAI chat completions: `POST /v1/chat/completions`. */
export const chatCompletionsSurface: SurfaceDefinition = {
  surface: 'chat_completions',
  path: '/v1/chat/completions',
  parse(body) {
    const parsed = ChatCompletionBodySchema.parse(body);
    return { request: openAIBodyToChatRequest(parsed), requestedModel: parsed.model, stream: parsed.stream === true, metadata: parsed.metadata, hints: parsed.parsimony };
  },
  encode: (response, jobId, model) => chatResponseToCompletion(response, completionId(jobId), model),
};
