import OpenAI, { toStreamingFile } from 'openai';
import type { ModelEntry } from '../../core/catalog/catalog';
import type { Logger } from '../../platform/logging/logger';
import type { ChatRequest } from '../../core/chat-model';
import { openAIErrorToProviderError } from './errors';
import type { BatchLineResult, BatchProvider, FindResult, IntentView, ProviderBatchRef, ProviderBatchState } from '../../levers/batch/batch-provider';
import { encodeLines, readLines } from '../../levers/batch/jsonl';
import { OPENAI_BATCH_ENDPOINT, inputFileName, openAIBatchLine } from './batch-lines';
import { parseOpenAIResultLine } from './batch-results';
import { BATCH_CLOCK_SKEW_MS, batchTimeouts, type BatchConnection } from '../provider-adapter';

/** OpenAI Batch API limits: 50,000 requests and 200 MB per input file (one model per file). */
export const OPENAI_BATCH_LIMITS = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 };

/** Metadata key tagging a provider batch with the Parsimony intent that created it. */
export const INTENT_METADATA_KEY = 'parsimony_intent';

const TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

/** A OpenAI batch client is configured like its synchronous adapter. */
export type OpenAIBatchProviderOptions = BatchConnection;

/**
 * The OpenAI Batch API through the official SDK: input files are uploaded as
 * a stream (`toStreamingFile`), batches carry the intent id in `metadata`, and
 * output/error files are read line by line from the response body.
 */
export class OpenAIBatchProvider implements BatchProvider {
  readonly name = 'openai';
  readonly limits = OPENAI_BATCH_LIMITS;
  private readonly client: OpenAI;
  private readonly timeouts: { call: number; transfer: number };

  constructor(
    options: OpenAIBatchProviderOptions,
    private readonly log: Logger,
  ) {
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0 });
    this.timeouts = batchTimeouts(options);
  }

  encodeLine(customId: string, request: ChatRequest, model: ModelEntry): string {
    return openAIBatchLine(customId, request, model);
  }

  async stage(intent: IntentView, lines: () => AsyncIterable<string>): Promise<string> {
    return this.call(async () => {
      // A crash after an upload but before its id was recorded leaves the file behind: reuse it.
      if (intent.attempts > 0) {
        const orphan = await this.findUpload(intent);
        if (orphan) return orphan;
      }
      const body = encodeLines(lines(), { separator: '\n', trailing: true });
      const file = await this.client.files.create(
        { file: toStreamingFile(body, inputFileName(intent.id), { type: 'application/jsonl' }), purpose: 'batch' },
        { timeout: this.timeouts.transfer, maxRetries: 0 },
      );
      return file.id;
    });
  }

  async create(intent: IntentView, staged: string | undefined): Promise<ProviderBatchRef> {
    if (!staged) throw new Error('openai batches need an uploaded input file (stage first)');
    return this.call(async () => {
      const batch = await this.client.batches.create(
        { input_file_id: staged, endpoint: OPENAI_BATCH_ENDPOINT, completion_window: '24h', metadata: { [INTENT_METADATA_KEY]: intent.id } },
        this.options(),
      );
      return { id: batch.id };
    });
  }

  async find(intent: IntentView, skip: (id: string) => Promise<boolean>): Promise<FindResult> {
    return this.call(async () => {
      for await (const batch of this.client.batches.list({ limit: 100 }, this.options())) {
        if (batch.created_at * 1000 < intent.createdAt - BATCH_CLOCK_SKEW_MS) break;
        if (batch.metadata?.[INTENT_METADATA_KEY] === intent.id && !(await skip(batch.id))) return { kind: 'found', id: batch.id, tentative: false };
      }
      return { kind: 'none' };
    });
  }

  async retrieve(id: string): Promise<ProviderBatchState> {
    const batch = await this.call(() => this.client.batches.retrieve(id, this.options()));
    const ended = TERMINAL.has(batch.status);
    return {
      id,
      status: batch.status,
      ended,
      outcome: ended ? (batch.status as ProviderBatchState['outcome']) : undefined,
      errors: batch.errors?.data?.map((e) => ({ line: e.line ?? null, message: e.message ?? e.code ?? 'invalid request' })),
      files: { input: batch.input_file_id, output: batch.output_file_id ?? null, error: batch.error_file_id ?? null },
    };
  }

  async *results(state: ProviderBatchState): AsyncGenerator<BatchLineResult> {
    for (const fileId of [state.files?.output, state.files?.error]) {
      if (!fileId) continue;
      for await (const line of this.fileLines(fileId)) {
        const result = parseOpenAIResultLine(line);
        if (result) yield result;
        else this.log.warn({ fileId }, 'unreadable line in an openai batch result file; skipped');
      }
    }
  }

  async firstCustomId(state: ProviderBatchState): Promise<string | undefined> {
    for await (const result of this.results(state)) return result.customId;
    return undefined;
  }

  async cancel(id: string): Promise<void> {
    await this.call(() => this.client.batches.cancel(id, this.options()));
  }

  async release(state: ProviderBatchState): Promise<void> {
    for (const fileId of [state.files?.input, state.files?.output, state.files?.error]) {
      if (!fileId) continue;
      await this.client.files.delete(fileId, this.options()).catch((err) => this.log.debug({ err: { message: (err as Error).message }, fileId }, 'could not delete a batch file'));
    }
  }

  private async *fileLines(fileId: string): AsyncGenerator<string> {
    const response = await this.call(() => this.client.files.content(fileId, { timeout: this.timeouts.transfer, maxRetries: 0 }));
    if (!response.body) return;
    try {
      yield* readLines(response.body as unknown as AsyncIterable<Uint8Array>);
    } catch (err) {
      throw openAIErrorToProviderError(err);
    }
  }

  private async findUpload(intent: IntentView): Promise<string | undefined> {
    const name = inputFileName(intent.id);
    for await (const file of this.client.files.list({ purpose: 'batch', order: 'desc', limit: 100 }, this.options())) {
      if (file.created_at * 1000 < intent.createdAt - BATCH_CLOCK_SKEW_MS) break;
      if (file.filename === name) return file.id;
    }
    return undefined;
  }

  private options() {
    return { timeout: this.timeouts.call, maxRetries: 0 };
  }

  /** Every SDK failure becomes a ProviderError (retryable or not), like the synchronous adapters. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw openAIErrorToProviderError(err);
    }
  }
}
