import { CommonEnvSchema, WorkerEnvSchema, parseEnv } from '../../shared/platform/config/env';
import { parsimonyMetrics } from '../../shared/platform/metrics/parsimony-metrics';
import { cacheFromEnv } from '../../shared/runtime/cache-from-env';
import { Platform } from '../../shared/runtime/platform';
import { runService } from '../lifecycle';
import { startRouterWorker } from '../router-worker/router-worker';
import { IpcVectorStore } from './ipc-vector-store';
import { answer, PendingCalls } from './pending-calls';
import { isMessage, type ChildMessage, type ChildReady, type MetricsCall, type Reply } from './worker-messages';

/**
 * One extra pipeline worker of the all-in-one (PARSIMONY_WORKERS > 1), forked
 * by worker-children.ts: a router-worker whose semantic cache index is the main
 * process's (IpcVectorStore; Qdrant directly when QDRANT_URL is set). It
 * embeds and writes cache entries itself (Redis) and sends the vector to the
 * main process's index, so the embedding work is spread over the workers. It
 * has no HTTP server: the main process serves its metrics in /metrics. When
 * the main process goes away (the IPC channel closes) it stops like on SIGTERM.
 */
if (!process.send) throw new Error('pipeline-worker-child runs as a child of the all-in-one (services/all-in-one/worker-children.ts)');

const calls = new PendingCalls();
const send = (message: ChildMessage, done: (err: Error | null) => void = () => undefined) => {
  if (!process.connected) return done(new Error('the main process is gone'));
  process.send!(message, undefined, {}, done);
};
process.on('message', (message: unknown) => {
  if (isMessage<Reply>(message, 'reply')) calls.settle(message);
  else if (isMessage<MetricsCall>(message, 'metrics')) void answer(message.id, () => parsimonyMetrics().registry.getMetricsAsJSON(), send);
});
process.on('disconnect', () => {
  calls.rejectAll('the main process is gone');
  process.kill(process.pid, 'SIGTERM');
});

void runService('pipeline-worker', async () => {
  const common = parseEnv(CommonEnvSchema, process.env);
  const env = parseEnv(WorkerEnvSchema, process.env);
  const platform = Platform.create({ env: common, service: 'router-worker', role: 'worker', providerEnv: process.env });
  const store = common.QDRANT_URL ? undefined : new IpcVectorStore((op, args) => calls.call(send, (id) => ({ type: 'store', id, op, args }) as ChildMessage));
  const cache = await cacheFromEnv(common, platform.hotPathRedis, platform.catalog, platform.log, { store });
  // Writes go straight to the cache (Redis + the main process's index); a failed one falls back to the cache-store
  // queue, which the cache-service in the main process drains.
  platform.attachCache(cache, { inlineWrites: true });
  const worker = startRouterWorker(platform, env);
  const ready: ChildReady = { type: 'ready', dims: cache?.embedder.dimensions };
  send(ready);
  return {
    log: platform.log,
    platforms: [platform],
    stop: async () => {
      await worker.close();
      await platform.close();
    },
  };
});
