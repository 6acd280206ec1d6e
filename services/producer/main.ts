import { CommonEnvSchema, ProducerEnvSchema, parseEnv } from '../../shared/platform/config/env';
import { Platform } from '../../shared/runtime/platform';
import { cacheFromEnv } from '../../shared/runtime/cache-from-env';
import { runService } from '../lifecycle';
import { startProducer } from './start-producer';

void runService('producer', async () => {
  const common = parseEnv(CommonEnvSchema, process.env);
  const env = parseEnv(ProducerEnvSchema, process.env);
  const platform = Platform.create({ env: common, service: 'producer', role: 'http', providerEnv: process.env });
  // Lookups need the shared store: Qdrant (QDRANT_URL) when services run as separate processes.
  platform.attachCache(await cacheFromEnv(common, platform.hotPathRedis, platform.catalog, platform.log));
  const producer = await startProducer(platform, env);
  return {
    log: platform.log,
    platforms: [platform],
    stop: async () => {
      await producer.close();
      await platform.close();
    },
  };
});
