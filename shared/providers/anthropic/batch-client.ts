import Anthropic from '@anthropic-ai/sdk';
import type { ModelEntry } from '../../core/catalog/catalog';
import type { Logger } from '../../platform/logging/logger';
import type { ChatRequest } from '../../core/chat-model';
import { anthropicErrorToProviderError } from './errors';
import { parseCustomId, type BatchLineResult, type BatchProvider, type FindResult, type IntentView, type ProviderBatchRef, type ProviderBatchState } from '../../levers/batch/batch-provider';
import { encodeLines } from '../../levers/batch/jsonl';
import { anthropicBatchRequest } from './batch-lines';
import { parseAnthropicResult, type AnthropicResultLine } from './batch-results';
import { BATCH_CLOCK_SKEW_MS, batchTimeouts, type BatchConnection } from '../provider-adapter';

/** Anthropic Message Batches limits: 100,000 requests or 256 MB per batch. */
export const ANTHROPIC_BATCH_LIMITS = { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 };

/** A Anthropic batch client is configured like its synchronous adapter. */
export type AnthropicBatchProviderOptions = BatchConnection;

/**
 * Anthropic Message Batches through the official SDK. The creation body is
 * streamed (`{"requests":[…]}` built line by line and passed to
 * `messages.batches.create` as a stream body), results are read with the
 * SDK's JSONL decoder. Batches have no metadata in the real API: an intent is
 * recognised by its custom_id prefix once the batch has ended, and before
 * that only tentatively, by request count and creation time.
 */
export class AnthropicBatchProvider implements BatchProvider {
  readonly name = 'anthropic';
  readonly limits = ANTHROPIC_BATCH_LIMITS;
  private readonly client: Anthropic;
  private readonly timeouts: { call: number; transfer: number };

  constructor(
    options: AnthropicBatchProviderOptions,
    private readonly log: Logger,
  ) {
    this.client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0 });
    this.timeouts = batchTimeouts(options);
  }

  encodeLine(customId: string, request: ChatRequest, model: ModelEntry): string {
    return anthropicBatchRequest(customId, request, model);
  }

  async create(_intent: IntentView, _staged: string | undefined, lines: () => AsyncIterable<string>): Promise<ProviderBatchRef> {
    const body = encodeLines(lines(), { open: '{"requests":[', separator: ',', trailing: false, close: ']}' });
    return this.call(async () => {
      // The typed `requests` is replaced by the streamed body: the SDK sends a stream body as it is.
      const batch = await this.client.messages.batches.create({ requests: [] }, { body, headers: { 'content-type': 'application/json' }, timeout: this.timeouts.transfer, maxRetries: 0 });
      return { id: batch.id };
    });
  }

  async find(intent: IntentView, skip: (id: string) => Promise<boolean>): Promise<FindResult> {
    return this.call(async () => {
      const unverified: { id: string; created: number }[] = [];
      for await (const batch of this.client.messages.batches.list({ limit: 100 }, this.options())) {
        const created = Date.parse(batch.created_at);
        if (created < intent.createdAt - BATCH_CLOCK_SKEW_MS) break;
        const c = batch.request_counts;
        if (c.processing + c.succeeded + c.errored + c.canceled + c.expired !== intent.size) continue;
        if (await skip(batch.id)) continue;
        if (batch.processing_status === 'ended') {
          const first = await this.firstCustomId({ id: batch.id, status: batch.processing_status, ended: true });
          if (first && parseCustomId(first)?.intentId === intent.id) return { kind: 'found', id: batch.id, tentative: false };
        } else unverified.push({ id: batch.id, created });
      }
      if (unverified.length === 1) return { kind: 'found', id: unverified[0].id, tentative: true };
      return unverified.length ? { kind: 'undecided' } : { kind: 'none' };
    });
  }

  async retrieve(id: string): Promise<ProviderBatchState> {
    const batch = await this.call(() => this.client.messages.batches.retrieve(id, {}, this.options()));
    const ended = batch.processing_status === 'ended';
    const c = batch.request_counts;
    const outcome = !ended ? undefined : c.expired > 0 ? 'expired' : c.canceled > 0 ? 'cancelled' : 'completed';
    return { id, status: batch.processing_status, ended, outcome };
  }

  async *results(state: ProviderBatchState): AsyncGenerator<BatchLineResult> {
    const decoder = await this.call(() => this.client.messages.batches.results(state.id, {}, { timeout: this.timeouts.transfer, maxRetries: 0 }));
    try {
      for await (const line of decoder) yield parseAnthropicResult(line as unknown as AnthropicResultLine);
    } catch (err) {
      throw anthropicErrorToProviderError(err);
    }
  }

  async firstCustomId(state: ProviderBatchState): Promise<string | undefined> {
    for await (const result of this.results(state)) return result.customId;
    return undefined;
  }

  async cancel(id: string): Promise<void> {
    await this.call(() => this.client.messages.batches.cancel(id, {}, this.options()));
  }

  private options() {
    return { timeout: this.timeouts.call, maxRetries: 0 };
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.log.debug({ err: { message: (err as Error).message } }, 'anthropic batch call failed');
      throw anthropicErrorToProviderError(err);
    }
  }
}
