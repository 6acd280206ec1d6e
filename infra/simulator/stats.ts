/** Per-model token totals the simulator has served. */
export interface ModelStats {
  /** Synchronous calls answered (chat completions, messages, embeddings). */
  calls: number;
  /** Requests answered inside batches. */
  batch_calls: number;
  input_tokens: number;
  output_tokens: number;
  /** Prompt-cache reads (OpenAI cached_tokens, Anthropic cache_read_input_tokens). */
  cached_input_tokens: number;
  /** Anthropic cache_creation_input_tokens. */
  cache_write_tokens: number;
}

export interface SimulatorStats {
  /** Every provider request received, by route path (`/v1/batches/:id`), faulted ones included. */
  requests: Record<string, number>;
  /** Chat completions answered with 200 (not faulted, not invalid). */
  chat_calls: number;
  /** Anthropic messages answered with 200. */
  message_calls: number;
  embeddings_calls: number;
  /** OpenAI Responses answered with 200. */
  responses_calls: number;
  /** OpenAI and Anthropic batches created. */
  batches_created: number;
  /** Individual requests executed inside batches. */
  batch_requests: number;
  /** Requests answered by an injected fault (error, hang). */
  faults_injected: number;
  /** Chat completions answered on the flex tier (also counted in chat_calls). */
  flex_calls: number;
  /** Flex requests refused with 429 "Resource Unavailable". */
  flex_refused: number;
  by_model: Record<string, ModelStats>;
}

export interface UsageSample {
  input: number;
  output: number;
  cachedRead: number;
  cacheWrite: number;
}

export class StatsRecorder {
  private data: SimulatorStats = emptyStats();

  request(route: string): void {
    this.data.requests[route] = (this.data.requests[route] ?? 0) + 1;
  }

  fault(): void {
    this.data.faults_injected += 1;
  }

  flexAnswered(): void {
    this.data.flex_calls += 1;
  }

  flexRefused(): void {
    this.data.flex_refused += 1;
  }

  batchCreated(): void {
    this.data.batches_created += 1;
  }

  /** Records one answered model call; `kind` selects the top-level counter. */
  call(kind: 'chat' | 'message' | 'embeddings' | 'responses', model: string, usage: UsageSample, batch: boolean): void {
    if (batch) this.data.batch_requests += 1;
    else if (kind === 'chat') this.data.chat_calls += 1;
    else if (kind === 'responses') this.data.responses_calls += 1;
    else if (kind === 'message') this.data.message_calls += 1;
    else this.data.embeddings_calls += 1;
    const m = (this.data.by_model[model] ??= { calls: 0, batch_calls: 0, input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0 });
    if (batch) m.batch_calls += 1;
    else m.calls += 1;
    m.input_tokens += usage.input;
    m.output_tokens += usage.output;
    m.cached_input_tokens += usage.cachedRead;
    m.cache_write_tokens += usage.cacheWrite;
  }

  /** A deep copy, safe to hold on to. */
  snapshot(): SimulatorStats {
    return JSON.parse(JSON.stringify(this.data)) as SimulatorStats;
  }

  reset(): void {
    this.data = emptyStats();
  }
}

function emptyStats(): SimulatorStats {
  return {
    requests: {},
    chat_calls: 0,
    message_calls: 0,
    embeddings_calls: 0,
    responses_calls: 0,
    batches_created: 0,
    batch_requests: 0,
    faults_injected: 0,
    flex_calls: 0,
    flex_refused: 0,
    by_model: {},
  };
}
