import { CommonEnvSchema, WorkerEnvSchema, parseEnv } from '../../shared/platform/config/env';
import { Platform } from '../../shared/runtime/platform';
import { cacheFromEnv } from '../../shared/runtime/cache-from-env';
import { runService } from '../lifecycle';
import { startRouterWorker } from './router-worker';

void runService('router-worker', async () => {
  const common = parseEnv(CommonEnvSchema, process.env);
  const env = parseEnv(WorkerEnvSchema, process.env);
  const platform = Platform.create({ env: common, service: 'router-worker', role: 'worker', providerEnv: process.env });
  // Lookups need the shared store: Qdrant (QDRANT_URL) when services run as separate processes.
  platform.attachCache(await cacheFromEnv(common, platform.hotPathRedis, platform.catalog, platform.log));
  const worker = startRouterWorker(platform, env);
  platform.log.info({ concurrency: env.PARSIMONY_WORKER_CONCURRENCY }, 'router-worker running');
  return {
    log: platform.log,
    platforms: [platform],
    stop: async () => {
      await worker.close();
      await platform.close();
    },
  };
});
