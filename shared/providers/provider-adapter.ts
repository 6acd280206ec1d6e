import type { ChatRequest, ChatResponse, StreamEvent } from '../messages/chat-model';
import type { ModelEntry } from '../catalog/catalog';

/** Per-call options every adapter honours. */
export interface CallOptions {
  /** Aborts the HTTP call (deadline, shutdown, client disconnect). */
  signal?: AbortSignal;
  /** Per-attempt timeout in milliseconds. */
  timeoutMs?: number;
}

/**
 * One provider (OpenAI, Anthropic, …). Each lives in its own folder under
 * shared/providers/<name>/ with the same files, built on the provider's
 * official SDK; adapters never retry (the pipeline's retry policy does) and
 * throw only ProviderError.
 */
export interface ProviderAdapter {
  readonly name: string;
  /** One synchronous completion. */
  complete(request: ChatRequest, model: ModelEntry, options?: CallOptions): Promise<ChatResponse>;
  /** A streamed completion; the last event is always `done` with the whole response. */
  stream(request: ChatRequest, model: ModelEntry, options?: CallOptions): AsyncIterable<StreamEvent>;
}

/** How an adapter is configured (from the environment, validated once at start-up). */
export interface ProviderConnection {
  apiKey: string;
  baseURL?: string;
}
