import type { SurfaceDefinition } from '../registry';
import { chatResponseToMessage, messageId } from './from-internal';
import { MessagesBodySchema } from './request-schema';
import { messagesBodyToChatRequest } from './to-internal';

/** Anthropic Messages: `POST /v1/messages`. */
export const messagesSurface: SurfaceDefinition = {
  surface: 'messages',
  path: '/v1/messages',
  parse(body) {
    const parsed = MessagesBodySchema.parse(body);
    return { request: messagesBodyToChatRequest(parsed), requestedModel: parsed.model, stream: parsed.stream === true, metadata: parsed.metadata, hints: parsed.parsimony };
  },
  encode: (response, jobId, model) => chatResponseToMessage(response, messageId(jobId), model),
};
