import { CommonEnvSchema, parseEnv } from '../../shared/platform/config/env';
import { Platform } from '../../shared/runtime/platform';
import { cacheFromEnv } from '../../shared/runtime/cache-from-env';
import { runService } from '../lifecycle';
import { startBatchSubmitterService } from './start-batch-submitter';

/** The batch-submitter process: provider batches (the batch lever) and notifications (webhooks, Parsimony batches). */
void runService('batch-submitter', async () => {
  const common = parseEnv(CommonEnvSchema, process.env);
  const platform = Platform.create({ env: common, service: 'batch-submitter', role: 'worker', providerEnv: process.env });
  // Batch-answered jobs run the cache stage's after-completion hook here (its store goes through the cache-service):
  // the shared store (Qdrant, QDRANT_URL) when services run as separate processes.
  platform.attachCache(await cacheFromEnv(common, platform.hotPathRedis, platform.catalog, platform.log));
  const service = await startBatchSubmitterService(platform, process.env);
  return {
    log: platform.log,
    platforms: [platform],
    stop: async () => {
      await service.close();
      await platform.close();
    },
  };
});
