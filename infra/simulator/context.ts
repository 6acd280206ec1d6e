import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Provider } from './errors';
import type { AnswerOverride, FaultController } from './faults';
import type { StatsRecorder } from './stats';
import type { PromptCacheStore } from './prompt-cache';
import type { Scheduler } from './scheduler';
import type { FileStore } from './openai/file-store';
import type { OpenAIBatchStore } from './openai/batches';
import type { AnthropicBatchStore } from './anthropic/batches';
import type { WebhookSender } from './webhooks';
import type { TierSettings } from './tiers';

/** Everything one simulator instance holds, shared by all handlers. */
export interface SimState {
  log: Logger;
  /** Seconds a batch takes from creation to completion. */
  batchSeconds: number;
  /** Delay between streamed events, ms. */
  chunkDelayMs: number;
  faults: FaultController;
  /** Flex capacity and batch turnaround distributions (see tiers.ts). */
  tiers: TierSettings;
  stats: StatsRecorder;
  promptCache: PromptCacheStore;
  scheduler: Scheduler;
  files: FileStore;
  openaiBatches: OpenAIBatchStore;
  anthropicBatches: AnthropicBatchStore;
  webhooks?: WebhookSender;
}

/** One provider request being handled. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  sim: SimState;
  provider: Provider;
  /** Route pattern, e.g. `/v1/batches/:id` (the stats key). */
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined for GET and multipart routes). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- validated by each handler, field by field, like the real APIs
  requestId: string;
  /** A fault rule's replacement answer (`content` / `tool_call`), applied by the chat and messages handlers. */
  answerOverride?: AnswerOverride;
}

/** Base URL as the client reached us (used for Anthropic's absolute results_url). */
export function publicBaseUrl(req: IncomingMessage): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}
