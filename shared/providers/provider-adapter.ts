import type { ChatRequest, ChatResponse, StreamEvent } from '../core/chat-model';
import type { ModelEntry } from '../core/catalog/catalog';
import type { Logger } from '../platform/logging/logger';
import type { BatchProvider } from '../levers/batch/batch-provider';

/** An embeddings request as Parsimony forwards it (OpenAI's `POST /v1/embeddings` body). */
export interface EmbeddingsRequest {
  /** Provider model name. */
  model: string;
  input: string | string[] | number[] | number[][];
  dimensions?: number;
  /** How vectors come back; the provider's default is `float`. */
  encoding_format: 'float' | 'base64';
  user?: string;
}

/** What the provider answered: the list body as the wire format has it, and the tokens it billed. */
export interface EmbeddingsResult {
  /** `{ object: 'list', data: [{ object: 'embedding', index, embedding }], model, usage }`. */
  body: Record<string, unknown>;
  input_tokens: number;
}

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
  /** Embeddings, for providers whose catalog lists embedding models (absent = the provider has none). */
  embed?(request: EmbeddingsRequest, options?: CallOptions): Promise<EmbeddingsResult>;
  /** The provider's own count of the request's input tokens, where it offers one (Anthropic `count_tokens`). */
  countTokens?(request: ChatRequest, model: ModelEntry, options?: CallOptions): Promise<number>;
}

/** How an adapter is configured (from the environment, validated once at start-up). */
export interface ProviderConnection {
  apiKey: string;
  baseURL?: string;
  /**
   * Default per-attempt timeout in milliseconds (until the response headers
   * arrive, as the SDKs measure it); `CallOptions.timeoutMs` overrides it per
   * call. Default DEFAULT_PROVIDER_TIMEOUT_MS.
   */
  timeoutMs?: number;
}

/** Default per-attempt provider timeout: 10 minutes, the SDKs' own default. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 600_000;

/**
 * What each shared/providers/<name>/index.ts exports: the provider's name,
 * the environment variables that configure it, and its adapter factory.
 * Adding a provider is one folder plus one line in registry.ts.
 */
export interface ProviderDefinition {
  /** Catalog `provider` value, e.g. "openai". */
  readonly name: string;
  /** Environment variable names: the API key (required) and an optional base URL. */
  readonly envKeys: { readonly apiKey: string; readonly baseURL: string };
  create(connection: ProviderConnection, logger: Logger): ProviderAdapter;
  /** The provider's batch API client, when the batch lever can use one; configured by the same key and base URL. */
  readonly batch?: { create(connection: BatchConnection, log: Logger): BatchProvider };
}

/** How a batch client is configured: the same key and base URL as the provider's synchronous adapter. */
export interface BatchConnection {
  apiKey: string;
  baseURL?: string;
  /** Per-call timeout of the small calls (create, retrieve, list, cancel), ms. Default 60000. */
  timeoutMs?: number;
  /** Timeout of a call that moves a whole batch (an upload, a streamed creation body, a results download), ms. Default 900000 (15 min: 200 MB at a slow link). */
  transferTimeoutMs?: number;
}

/** Provider clock skew tolerated when matching provider batches to intents by creation time, ms. */
export const BATCH_CLOCK_SKEW_MS = 5 * 60_000;

/** A batch client's two timeouts, defaults applied. */
export function batchTimeouts(connection: BatchConnection): { call: number; transfer: number } {
  return { call: connection.timeoutMs ?? 60_000, transfer: connection.transferTimeoutMs ?? 900_000 };
}
