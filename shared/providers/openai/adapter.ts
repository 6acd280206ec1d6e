import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions/completions';
import type { ModelEntry } from '../../catalog/catalog';
import type { Logger } from '../../logging/logger';
import type { ChatRequest, ChatResponse, StreamEvent } from '../../messages/chat-model';
import { chatRequestToOpenAIBody } from '../../messages/openai/from-internal';
import { openAICompletionToResponse } from '../../messages/openai/completion-to-internal';
import { DEFAULT_PROVIDER_TIMEOUT_MS, type CallOptions, type ProviderAdapter, type ProviderConnection } from '../provider-adapter';
import { requestOptions, sdkLogger } from '../sdk-support';
import { PROVIDER_NAME, openAIErrorToProviderError } from './errors';
import { openAIStreamEvents } from './stream';

/**
 * OpenAI chat completions through the official SDK. One attempt per call
 * (`maxRetries: 0`: the pipeline's retry policy decides), every failure a
 * ProviderError. Works with any OpenAI-compatible server via `baseURL`.
 */
export class OpenAIAdapter implements ProviderAdapter {
  readonly name = PROVIDER_NAME;
  private readonly client: OpenAI;

  constructor(connection: ProviderConnection, private readonly log: Logger) {
    this.client = new OpenAI({
      apiKey: connection.apiKey,
      baseURL: connection.baseURL,
      maxRetries: 0,
      timeout: connection.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS,
      logger: sdkLogger(log),
    });
  }

  async complete(request: ChatRequest, model: ModelEntry, options?: CallOptions): Promise<ChatResponse> {
    const body = chatRequestToOpenAIBody(request, model.provider_model ?? model.id);
    this.log.debug({ model: body.model, stream: false }, 'provider call');
    try {
      const params = { ...body, stream: false } as unknown as ChatCompletionCreateParamsNonStreaming;
      return openAICompletionToResponse(await this.client.chat.completions.create(params, requestOptions(options)));
    } catch (err) {
      throw openAIErrorToProviderError(err);
    }
  }

  async *stream(request: ChatRequest, model: ModelEntry, options?: CallOptions): AsyncGenerator<StreamEvent> {
    const body = chatRequestToOpenAIBody(request, model.provider_model ?? model.id);
    this.log.debug({ model: body.model, stream: true }, 'provider call');
    try {
      const params = { ...body, stream: true, stream_options: { include_usage: true } } as unknown as ChatCompletionCreateParamsStreaming;
      const chunks = await this.client.chat.completions.create(params, requestOptions(options));
      yield* openAIStreamEvents(chunks);
    } catch (err) {
      throw openAIErrorToProviderError(err);
    }
  }
}
