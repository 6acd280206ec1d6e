import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming, MessageCreateParamsStreaming } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ModelEntry } from '../../catalog/catalog';
import type { Logger } from '../../logging/logger';
import type { ChatRequest, ChatResponse, StreamEvent } from '../../messages/chat-model';
import { chatRequestToAnthropicParams } from '../../messages/anthropic/to-anthropic';
import { anthropicMessageToResponse } from '../../messages/anthropic/from-anthropic';
import { DEFAULT_PROVIDER_TIMEOUT_MS, type CallOptions, type ProviderAdapter, type ProviderConnection } from '../provider-adapter';
import { requestOptions, sdkLogger } from '../sdk-support';
import { PROVIDER_NAME, anthropicErrorToProviderError } from './errors';
import { anthropicStreamEvents } from './stream';

/**
 * Anthropic Messages through the official SDK. One attempt per call
 * (`maxRetries: 0`: the pipeline's retry policy decides), every failure a
 * ProviderError. `baseURL` is the host root (the SDK adds `/v1/messages`).
 */
export class AnthropicAdapter implements ProviderAdapter {
  readonly name = PROVIDER_NAME;
  private readonly client: Anthropic;

  constructor(connection: ProviderConnection, private readonly log: Logger) {
    this.client = new Anthropic({
      apiKey: connection.apiKey,
      baseURL: connection.baseURL,
      maxRetries: 0,
      // Always set: without a client timeout the SDK refuses non-streamed calls with a large max_tokens.
      timeout: connection.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS,
      logger: sdkLogger(log),
    });
  }

  async complete(request: ChatRequest, model: ModelEntry, options?: CallOptions): Promise<ChatResponse> {
    const params = chatRequestToAnthropicParams(request, model);
    this.log.debug({ model: params.model, stream: false }, 'provider call');
    try {
      const message = await this.client.messages.create({ ...params, stream: false } as MessageCreateParamsNonStreaming, requestOptions(options));
      return anthropicMessageToResponse(message);
    } catch (err) {
      throw anthropicErrorToProviderError(err);
    }
  }

  async *stream(request: ChatRequest, model: ModelEntry, options?: CallOptions): AsyncGenerator<StreamEvent> {
    const params = chatRequestToAnthropicParams(request, model);
    this.log.debug({ model: params.model, stream: true }, 'provider call');
    try {
      const events = await this.client.messages.create({ ...params, stream: true } as MessageCreateParamsStreaming, requestOptions(options));
      yield* anthropicStreamEvents(events);
    } catch (err) {
      throw anthropicErrorToProviderError(err);
    }
  }
}
