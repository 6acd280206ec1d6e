import { CommonEnvSchema, parseEnv } from '../../shared/config/env';
import { Platform } from '../../shared/runtime/platform';
import { runService } from '../lifecycle';
import { startBatchSubmitterService } from './start-batch-submitter';

/** The batch-submitter process: provider batches (the batch lever) and notifications (webhooks, Parsimony batches). */
void runService('batch-submitter', async () => {
  const common = parseEnv(CommonEnvSchema, process.env);
  const platform = Platform.create({ env: common, service: 'batch-submitter', role: 'worker', providerEnv: process.env });
  const service = await startBatchSubmitterService(platform, process.env);
  return {
    log: platform.log,
    stop: async () => {
      await service.close();
      await platform.close();
    },
  };
});
