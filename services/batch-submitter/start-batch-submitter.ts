import { BatchEnvSchema, parseEnv } from '../../shared/platform/config/env';
import type { Platform } from '../../shared/runtime/platform';
import { startBatchSubmitter, type BatchSubmitterOptions, type RunningBatchSubmitter } from './batch-submitter';
import { startNotifications } from './start-notifications';

export interface RunningBatchSubmitterService {
  submitter: RunningBatchSubmitter;
  isRunning(): boolean;
  close(): Promise<void>;
}

/**
 * Everything the batch-submitter process runs, from the raw environment:
 * the batch lever (provider batches) and the notifications workers
 * (outbound webhooks, Parsimony batches). Used by its own entry point and by
 * the one-process mode.
 */
export async function startBatchSubmitterService(
  platform: Platform,
  rawEnv: Record<string, string | undefined>,
  providerEnv: Record<string, string | undefined> = rawEnv,
  options: BatchSubmitterOptions = {},
): Promise<RunningBatchSubmitterService> {
  const env = parseEnv(BatchEnvSchema, rawEnv);
  const submitter = startBatchSubmitter(platform, env, providerEnv, options);
  let notifications: Awaited<ReturnType<typeof startNotifications>>;
  try {
    notifications = await startNotifications(platform, rawEnv);
  } catch (err) {
    await submitter.close();
    throw err;
  }
  return {
    submitter,
    isRunning: () => submitter.isRunning(),
    close: async () => {
      await submitter.close();
      await notifications.close();
    },
  };
}
