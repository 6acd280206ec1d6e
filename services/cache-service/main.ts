import { CommonEnvSchema, parseEnv } from '../../shared/platform/config/env';
import { cacheFromEnv } from '../../shared/runtime/cache-from-env';
import { Platform } from '../../shared/runtime/platform';
import { runService } from '../lifecycle';
import { startCacheService } from './cache-service';

void runService('cache-service', async () => {
  const env = parseEnv(CommonEnvSchema, process.env);
  const platform = Platform.create({ env, service: 'cache-service', role: 'worker', providerEnv: process.env });
  const cache = await cacheFromEnv(env, platform.hotPathRedis, platform.catalog, platform.log);
  if (!cache) throw new Error('PARSIMONY_CACHE=off: the cache-service has nothing to do; do not start it');
  if (!env.QDRANT_URL) platform.log.warn('QDRANT_URL is not set: this cache-service writes to its own embedded index, which other processes cannot read; set QDRANT_URL when services run separately');
  const service = await startCacheService(platform, cache);
  platform.log.info('cache-service running');
  return {
    log: platform.log,
    platforms: [platform],
    stop: async () => {
      await service.close();
      await cache.store.close();
      await platform.close();
    },
  };
});
