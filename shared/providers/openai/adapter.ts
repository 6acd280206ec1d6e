import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions/completions';
import type { ModelEntry } from '../../core/catalog/catalog';
import { ProviderError } from '../../core/errors/provider-error';
import type { Logger } from '../../platform/logging/logger';
import type { ChatRequest, ChatResponse, StreamEvent } from '../../core/chat-model';
import { chatRequestToOpenAIBody } from '../../surfaces/chat-completions/from-internal';
import { openAICompletionToResponse } from './completion-to-internal';
import type { CallOptions, EmbeddingsRequest, EmbeddingsResult, ProviderAdapter, ProviderConnection } from '../provider-adapter';
import { keepAliveFetch } from '../http-transport';
import { AttemptDeadline, attemptTimeoutMs, sdkLogger } from '../sdk-support';
import { PROVIDER_NAME, openAIErrorToProviderError } from './errors';
import { openAIStreamEvents } from './stream';

/**
 * OpenAI chat completions through the official SDK. One attempt per call
 * (`maxRetries: 0`: the pipeline's retry policy decides), every failure a
 * ProviderError. Works with any OpenAI-compatible server via `baseURL`.
 *
 * Timeout: `complete` is bounded until the whole completion is read; `stream`
 * until the response starts (a long generation is not cut off).
 */
export class OpenAIAdapter implements ProviderAdapter {
  readonly name = PROVIDER_NAME;
  private readonly client: OpenAI;

  constructor(
    private readonly connection: ProviderConnection,
    private readonly log: Logger,
  ) {
    this.client = new OpenAI({ apiKey: connection.apiKey, baseURL: connection.baseURL, maxRetries: 0, logger: sdkLogger(log), fetch: keepAliveFetch() });
  }

  async complete(request: ChatRequest, model: ModelEntry, options?: CallOptions): Promise<ChatResponse> {
    const body = chatRequestToOpenAIBody(request, model.provider_model ?? model.id, model);
    const deadline = new AttemptDeadline(attemptTimeoutMs(options, this.connection), options?.signal);
    this.log.debug({ model: body.model, stream: false, timeoutMs: deadline.timeoutMs }, 'provider call');
    try {
      const params = { ...body, stream: false } as unknown as ChatCompletionCreateParamsNonStreaming;
      return openAICompletionToResponse(await this.client.chat.completions.create(params, deadline.requestOptions()));
    } catch (err) {
      throw this.failure(err, deadline);
    } finally {
      deadline.dispose();
    }
  }

  async *stream(request: ChatRequest, model: ModelEntry, options?: CallOptions): AsyncGenerator<StreamEvent> {
    const body = chatRequestToOpenAIBody(request, model.provider_model ?? model.id, model);
    const deadline = new AttemptDeadline(attemptTimeoutMs(options, this.connection), options?.signal);
    this.log.debug({ model: body.model, stream: true, timeoutMs: deadline.timeoutMs }, 'provider call');
    try {
      const params = { ...body, stream: true, stream_options: { include_usage: true } } as unknown as ChatCompletionCreateParamsStreaming;
      const chunks = await this.client.chat.completions.create(params, deadline.requestOptions());
      deadline.stopClock();
      yield* openAIStreamEvents(chunks);
    } catch (err) {
      throw this.failure(err, deadline);
    } finally {
      deadline.dispose();
    }
  }

  /** POST /v1/embeddings; the encoding format is sent explicitly, so the body comes back as the caller asked for it. */
  async embed(request: EmbeddingsRequest, options?: CallOptions): Promise<EmbeddingsResult> {
    const deadline = new AttemptDeadline(attemptTimeoutMs(options, this.connection), options?.signal);
    this.log.debug({ model: request.model, timeoutMs: deadline.timeoutMs }, 'provider embeddings call');
    try {
      const response = await this.client.embeddings.create(request, deadline.requestOptions());
      return { body: response as unknown as Record<string, unknown>, input_tokens: response.usage?.prompt_tokens ?? 0 };
    } catch (err) {
      throw this.failure(err, deadline);
    } finally {
      deadline.dispose();
    }
  }

  private failure(err: unknown, deadline: AttemptDeadline): ProviderError {
    if (deadline.timedOut) return new ProviderError(PROVIDER_NAME, 0, 'request timed out');
    return openAIErrorToProviderError(err);
  }
}
