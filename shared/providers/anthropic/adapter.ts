import Anthropic from '@anthropic-ai/sdk';
import type { MessageCountTokensParams, MessageCreateParamsNonStreaming, MessageCreateParamsStreaming } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ModelEntry } from '../../core/catalog/catalog';
import { ProviderError } from '../../core/errors/provider-error';
import type { Logger } from '../../platform/logging/logger';
import type { ChatRequest, ChatResponse, StreamEvent } from '../../core/chat-model';
import { chatRequestToAnthropicParams } from './to-anthropic';
import { anthropicMessageToResponse } from './from-anthropic';
import type { CallOptions, ProviderAdapter, ProviderConnection } from '../provider-adapter';
import { keepAliveFetch } from '../http-transport';
import { AttemptDeadline, attemptTimeoutMs, sdkLogger } from '../sdk-support';
import { PROVIDER_NAME, anthropicErrorToProviderError } from './errors';
import { anthropicStreamEvents } from './stream';

/** The request fields `count_tokens` takes (it rejects the others, e.g. max_tokens). */
const COUNT_TOKENS_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'output_config', 'cache_control', 'speed', 'context_management', 'output_format'];

/**
 * Anthropic Messages through the official SDK. One attempt per call
 * (`maxRetries: 0`: the pipeline's retry policy decides), every failure a
 * ProviderError. `baseURL` is the host root (the SDK adds `/v1/messages`).
 *
 * Timeout: `complete` is bounded until the whole message is read; `stream`
 * until the response starts (a long generation is not cut off). An SDK
 * timeout is always passed, which also stops the SDK refusing non-streamed
 * calls with a large max_tokens ("Streaming is required…").
 */
export class AnthropicAdapter implements ProviderAdapter {
  readonly name = PROVIDER_NAME;
  private readonly client: Anthropic;

  constructor(
    private readonly connection: ProviderConnection,
    private readonly log: Logger,
  ) {
    this.client = new Anthropic({ apiKey: connection.apiKey, baseURL: connection.baseURL, maxRetries: 0, logger: sdkLogger(log), fetch: keepAliveFetch() });
  }

  async complete(request: ChatRequest, model: ModelEntry, options?: CallOptions): Promise<ChatResponse> {
    const params = chatRequestToAnthropicParams(request, model);
    const deadline = new AttemptDeadline(attemptTimeoutMs(options, this.connection), options?.signal);
    this.log.debug({ model: params.model, stream: false, timeoutMs: deadline.timeoutMs }, 'provider call');
    try {
      const message = await this.client.messages.create({ ...params, stream: false } as MessageCreateParamsNonStreaming, callOptions(request, deadline));
      return anthropicMessageToResponse(message);
    } catch (err) {
      throw this.failure(err, deadline);
    } finally {
      deadline.dispose();
    }
  }

  async *stream(request: ChatRequest, model: ModelEntry, options?: CallOptions): AsyncGenerator<StreamEvent> {
    const params = chatRequestToAnthropicParams(request, model);
    const deadline = new AttemptDeadline(attemptTimeoutMs(options, this.connection), options?.signal);
    this.log.debug({ model: params.model, stream: true, timeoutMs: deadline.timeoutMs }, 'provider call');
    try {
      const events = await this.client.messages.create({ ...params, stream: true } as MessageCreateParamsStreaming, callOptions(request, deadline));
      deadline.stopClock();
      yield* anthropicStreamEvents(events);
    } catch (err) {
      throw this.failure(err, deadline);
    } finally {
      deadline.dispose();
    }
  }

  /** POST /v1/messages/count_tokens with the same parameters a call would send (without max_tokens). */
  async countTokens(request: ChatRequest, model: ModelEntry, options?: CallOptions): Promise<number> {
    const all = chatRequestToAnthropicParams(request, model) as unknown as Record<string, unknown>;
    // Only the fields count_tokens takes (it rejects the others, e.g. max_tokens).
    const params = Object.fromEntries(COUNT_TOKENS_FIELDS.filter((k) => all[k] !== undefined).map((k) => [k, all[k]]));
    const deadline = new AttemptDeadline(attemptTimeoutMs(options, this.connection), options?.signal);
    try {
      const count = await this.client.messages.countTokens(params as unknown as MessageCountTokensParams, callOptions(request, deadline));
      return count.input_tokens;
    } catch (err) {
      throw this.failure(err, deadline);
    } finally {
      deadline.dispose();
    }
  }

  private failure(err: unknown, deadline: AttemptDeadline): ProviderError {
    if (deadline.timedOut) return new ProviderError(PROVIDER_NAME, 0, 'request timed out');
    return anthropicErrorToProviderError(err);
  }
}

/**
 * The SDK call options: the attempt's deadline, and the request's Anthropic headers (`anthropic-version`,
 * `anthropic-beta` — the caller's, plus the betas the context lever adds for native `context_management`).
 */
function callOptions(request: ChatRequest, deadline: AttemptDeadline) {
  const headers = request.provider_headers?.[PROVIDER_NAME];
  return headers && Object.keys(headers).length ? { ...deadline.requestOptions(), headers } : deadline.requestOptions();
}
