import type { ModelEntry } from '../../core/catalog/catalog';
import { effortForModel } from '../../core/catalog/reasoning-effort';
import type { ChatRequest } from '../../core/chat-model';
import { dropUndefined } from './to-internal';

/**
 * The current-API fields of an OpenAI chat request body, from the internal
 * request: `n`, logprobs, parallel tool calls, the reasoning
 * effort and verbosity (only to reasoning models, which alone accept them;
 * a thinking budget becomes an effort), and the OpenAI-only fields the
 * caller sent (`provider_options.openai`), verbatim. Without the catalog
 * entry the model-dependent fields are left out.
 */
export function openAIRequestOptions(request: ChatRequest, model?: ModelEntry): Record<string, unknown> {
  const reasoningModel = model?.reasoning !== undefined;
  return dropUndefined({
    n: request.n !== undefined && request.n > 1 ? request.n : undefined,
    logprobs: request.logprobs ? true : undefined,
    top_logprobs: request.logprobs?.top_logprobs,
    parallel_tool_calls: request.tools?.length ? request.parallel_tool_calls : undefined,
    reasoning_effort: model ? effortForModel(model, request.reasoning) : undefined,
    verbosity: reasoningModel ? request.verbosity : undefined,
    ...request.provider_options?.openai,
  });
}
