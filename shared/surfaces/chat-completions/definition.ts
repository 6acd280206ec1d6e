import type { SurfaceDefinition } from '../registry';
import { completionId } from './completion-id';
import { chatResponseToCompletion } from './from-internal';
import { ChatCompletionBodySchema } from './request-schema';
import { openAIBodyToChatRequest } from './to-internal';
import { LEGACY_FUNCTIONS_ECHO, toLegacyFunctionCompletion } from './legacy-functions';

/** OpenAI chat completions: `POST /v1/chat/completions`. */
export const chatCompletionsSurface: SurfaceDefinition = {
  surface: 'chat_completions',
  path: '/v1/chat/completions',
  parse(body) {
    const parsed = ChatCompletionBodySchema.parse(body);
    return {
      request: openAIBodyToChatRequest(parsed),
      requestedModel: parsed.model,
      stream: parsed.stream === true,
      metadata: parsed.metadata,
      hints: parsed.parsimony,
      echo: parsed.functions ? { [LEGACY_FUNCTIONS_ECHO]: true } : undefined,
    };
  },
  encode(response, jobId, model, job) {
    const completion = chatResponseToCompletion(response, completionId(jobId), model);
    return job?.options?.surface_echo?.[LEGACY_FUNCTIONS_ECHO] === true ? toLegacyFunctionCompletion(completion) : completion;
  },
};
