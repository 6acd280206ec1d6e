import OpenAI from 'openai';
import { fingerprintOf, normalise, type EmbedResult, type Embedder } from './embedder';

export interface OpenAIEmbedderOptions {
  /** Embedding model name, e.g. "text-embedding-3-small", "nomic-embed-text" (Ollama). */
  model: string;
  /** Vector size the endpoint returns (or is asked for with `requestDimensions`). */
  dimensions: number;
  apiKey?: string;
  /** OpenAI-compatible base URL (OpenAI, Ollama `http://localhost:11434/v1`, TEI `http://host/v1`). */
  baseURL?: string;
  /** USD per million input tokens; default 0 (self-hosted). */
  pricePerMillionTokens?: number;
  /** Send `dimensions` in the request (OpenAI text-embedding-3 supports shortening); default false. */
  requestDimensions?: boolean;
  /** Cosine threshold for this model; default 0.9 (calibrate it with your pairs). */
  threshold?: number;
  /** Per-call timeout in ms; default 10,000. */
  timeoutMs?: number;
}

/** Any OpenAI-compatible embeddings endpoint, through the official `openai` SDK. */
export class OpenAIEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  readonly fingerprint: string;
  readonly defaultThreshold: number;
  readonly paid: boolean;
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAIEmbedderOptions) {
    this.model = options.model;
    this.dimensions = options.dimensions;
    this.fingerprint = fingerprintOf(options.model, options.dimensions);
    this.defaultThreshold = options.threshold ?? 0.9;
    this.paid = (options.pricePerMillionTokens ?? 0) > 0;
    this.client = new OpenAI({
      apiKey: options.apiKey ?? 'unused',
      baseURL: options.baseURL,
      timeout: options.timeoutMs ?? 10_000,
      maxRetries: 1,
    });
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<EmbedResult> {
    const res = await this.client.embeddings.create(
      {
        model: this.model,
        input: texts,
        encoding_format: 'float',
        ...(this.options.requestDimensions ? { dimensions: this.dimensions } : {}),
      },
      { signal },
    );
    const vectors = res.data
      .slice()
      .sort((a, b) => a.index - b.index)
      .map((d) => {
        if (d.embedding.length !== this.dimensions) {
          throw new Error(`embedding model ${this.model} returned ${d.embedding.length} dimensions, configured ${this.dimensions}`);
        }
        return normalise(Float32Array.from(d.embedding));
      });
    const tokens = res.usage?.prompt_tokens ?? 0;
    return { vectors, costUsd: (tokens * (this.options.pricePerMillionTokens ?? 0)) / 1_000_000 };
  }
}
