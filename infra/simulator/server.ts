import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createLogger } from '../../shared/platform/logging/logger';
import { handleAdmin } from './admin';
import type { SimState } from './context';
import { FaultController } from './faults';
import { PromptCacheStore } from './prompt-cache';
import { handleProviderRequest } from './router';
import { Scheduler } from './scheduler';
import { StatsRecorder, type SimulatorStats } from './stats';
import { FileStore } from './openai/file-store';
import { OpenAIBatchStore } from './openai/batches';
import { AnthropicBatchStore } from './anthropic/batches';
import { WebhookSender, type WebhookConfig } from './webhooks';
import { TierSettings } from './tiers';

/**
 * The provider simulator: an HTTP server that speaks the OpenAI and Anthropic
 * wire formats well enough for the official SDKs to work unmodified
 * (OpenAI clients: `baseURL: sim.url + '/v1'`; Anthropic: `baseURL: sim.url`).
 */

export interface SimulatorOptions {
  /** Port to listen on; default 0 (a random free port). */
  port?: number;
  /** Interface to bind; default "127.0.0.1". */
  host?: string;
  /** Latency added before every provider answer, ms; default 0. */
  latencyMs?: number;
  /** Seconds a batch takes from creation to completion (fractions allowed); default SIM_BATCH_SECONDS or 30. */
  batchSeconds?: number;
  /** Delay between streamed SSE events, ms; default 0 (events are written back to back). */
  chunkDelayMs?: number;
  /** Signed OpenAI batch webhooks (batch.completed/failed/expired/cancelled); default none. */
  webhook?: WebhookConfig;
  /** pino logger; default a `simulator` logger from shared/logging. */
  logger?: Logger;
}

export interface Simulator {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  port: number;
  faults: FaultController;
  /** Flex capacity / refusals / latency and batch turnaround distributions (also POST /_sim/tiers). */
  tiers: TierSettings;
  stats(): SimulatorStats;
  /** Forgets everything: stats, faults, files, batches, prompt cache, hanging requests. */
  reset(): void;
  close(): Promise<void>;
}

export type { SimulatorStats } from './stats';
export type { FaultRule, BatchFault } from './faults';
export { FaultController } from './faults';

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const log = options.logger ?? createLogger({ service: 'simulator', level: process.env.LOG_LEVEL ?? 'info' });
  const scheduler = new Scheduler();
  const batchSeconds = options.batchSeconds ?? (Number(process.env.SIM_BATCH_SECONDS) || 30);
  const faults = new FaultController(options.latencyMs ?? 0);
  const state = {
    log,
    batchSeconds,
    chunkDelayMs: options.chunkDelayMs ?? 0,
    faults,
    tiers: new TierSettings(),
    stats: new StatsRecorder(),
    promptCache: new PromptCacheStore(),
    scheduler,
    files: new FileStore(),
    webhooks: options.webhook ? new WebhookSender(options.webhook, scheduler, log) : undefined,
  } as SimState;
  state.openaiBatches = new OpenAIBatchStore(state);
  state.anthropicBatches = new AnthropicBatchStore(state);

  const hanging = new Set<ServerResponse>();
  const dropHanging = () => {
    for (const res of hanging) res.destroy();
    hanging.clear();
  };
  const reset = () => {
    scheduler.clear();
    state.openaiBatches.clear();
    state.anthropicBatches.clear();
    state.files.clear();
    state.promptCache.clear();
    state.stats.reset();
    faults.clear();
    state.tiers.clear();
    dropHanging();
  };

  const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const search = q === -1 ? '' : url.slice(q + 1);
    if (path.startsWith('/_sim/')) void handleAdmin(state, reset, req, res, path);
    else void handleProviderRequest(state, hanging, req, res, path, search);
  });
  // Hang faults and 200 MB uploads must not be cut by Node's default request timeout.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${publicHost}:${port}`;
  log.debug({ url, batchSeconds, latencyMs: faults.latencyMs }, 'simulator listening');

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    faults,
    tiers: state.tiers,
    stats: () => state.stats.snapshot(),
    reset,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        scheduler.clear();
        state.openaiBatches.clear();
        state.anthropicBatches.clear();
        dropHanging();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
