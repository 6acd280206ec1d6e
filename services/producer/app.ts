import type { RequestListener } from 'node:http';
import express, { type Express } from 'express';
import type { ApiKeyRing } from '../../shared/platform/config/api-keys';
import type { ProducerEnv } from '../../shared/platform/config/env';
import { JobRunner } from '../../shared/pipeline/job-runner';
import { SyncJobWatch } from '../../shared/core/jobs/sync-job-watch';
import type { Platform } from '../../shared/runtime/platform';
import { JobIntake } from './job-intake';
import { authenticate } from './http/authenticate';
import { bodyDepthLimit } from './http/body-depth';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { JobEnqueuer } from './job-enqueuer';
import { chatCompletionsHandler } from './routes/chat-completions';
import { modelsRouter } from './routes/models';
import { embeddingsRouter } from './routes/embeddings';
import { responsesHandler, responsesRouter } from './routes/responses';
import { ResponseStore } from '../../shared/surfaces/responses/response-store';
import { messagesHandler } from './routes/messages';
import { countTokensRouter } from './routes/count-tokens';
import { anthropicModelsRouter } from './routes/anthropic-models';
import { anthropicErrorHandler } from './http/anthropic-errors';
import { healthRouter } from './routes/health';
import { jobSubmitHandler, jobsRouter } from './routes/jobs';
import { savingsRouter } from './routes/savings';
import { tiersRouter } from './routes/tiers';
import { TenantLimitsPolicy } from '../../shared/core/limits/tenant-limits';
import { rateLimit, TenantAdmission } from './http/rate-limit';
import { hotRoutesRouter, type HotRoutes } from './http/hot-route';
import { leanIngress } from './http/lean-ingress';
import { bodyLimitBytes } from './http/read-json-body';
import { requestMetrics } from './http/request-metrics';
import { adminRouter } from './routes/admin';
import { dashboardRouter } from './routes/dashboard';
import { metricsRouter } from './routes/metrics';
import { promptsRouter } from './routes/prompts';
import { cacheRouter } from './routes/cache';
import { routingQualityRouter } from './routes/routing-quality';
import { assertCallbackAllowed } from '../../shared/platform/webhooks/ssrf-guard';
import { batchesRouter } from './routes/batches';
import { filesRouter } from './routes/files';
import { webhookDeliveriesRouter } from './routes/webhook-deliveries';
import { openAIWebhooksRouter } from './routes/openai-webhooks';
import { PendingPool } from '../../shared/levers/batch/pending-pool';
import { BatchKeys } from '../../shared/levers/batch/batch-keys';
import { CooldownView } from '../../shared/providers/cooldown-view';
import { ProviderCooldowns } from '../../shared/providers/provider-cooldown';

export interface ProducerDeps {
  platform: Platform;
  env: ProducerEnv;
  keys: ApiKeyRing;
  /** Whether workers run in this process (for /readyz in the one-process mode). */
  localWorkers?: () => boolean;
}

export interface ProducerHttp {
  /** The whole API on express. */
  app: Express;
  /** What the server runs: the lean ingress for the hot routes, in front of `app` for everything else. */
  listener: RequestListener;
}

/** The producer's HTTP API. */
export function createProducerHttp({ platform, env, keys, localWorkers }: ProducerDeps): ProducerHttp {
  const log = platform.log.child({ component: 'producer' });
  // One back-pressure rule on both paths: the fast path honours the per-provider cooldowns queued jobs honour (read
  // in-process at most every 100 ms), and its 429s start them for everyone.
  const cooldowns = new CooldownView(new ProviderCooldowns(platform.redis, platform.env.PARSIMONY_QUEUE_PREFIX));
  const { pipeline, validate } = platform.pipeline(env.PARSIMONY_SYNC_ATTEMPTS, {
    cooldownMs: (provider) => cooldowns.remainingMs(provider),
    cooldownWaitMs: env.PARSIMONY_SYNC_COOLDOWN_WAIT_MS,
    recordRateLimit: (provider, retryAfterMs) => cooldowns.record(provider, retryAfterMs),
  });
  const heartbeatMs = env.PARSIMONY_PRODUCER_HEARTBEAT_MS;
  const syncWatch = new SyncJobWatch(platform.redis, platform.env.PARSIMONY_QUEUE_PREFIX, platform.outcomes, platform.log.child({ component: 'sync-job-watch' }), {
    heartbeatMs,
    heartbeatTtlMs: 4 * heartbeatMs,
  }).start();
  platform.onClose(() => syncWatch.stop());
  const intake = new JobIntake(platform.store, validate, new JobRunner(platform.store, pipeline, platform.outcomes, log), log, syncWatch);
  const enqueuer = new JobEnqueuer(platform.pipelineQueue, platform.outcomes, platform.env.PARSIMONY_JOB_ATTEMPTS, log);

  const limits = TenantLimitsPolicy.fromSpec(env.PARSIMONY_TENANT_LIMITS);
  const admission = limits ? new TenantAdmission(platform.redis, platform.env.PARSIMONY_QUEUE_PREFIX, limits) : undefined;
  const bodyLimit = bodyLimitBytes(env.PARSIMONY_BODY_LIMIT);
  const responseStore = new ResponseStore(platform.redis, platform.env.PARSIMONY_QUEUE_PREFIX, env.PARSIMONY_RESPONSE_RETENTION_SECONDS);
  const checkCallback = (url: string) => assertCallbackAllowed(url, { allowHosts: env.PARSIMONY_WEBHOOK_ALLOW_HOSTS });
  // One handler per hot route, served by the lean ingress and, for the requests it leaves to express, by express.
  const hotRoutes: HotRoutes = new Map([
    ['/v1/chat/completions', chatCompletionsHandler(intake)],
    ['/v1/responses', responsesHandler(intake, responseStore)],
    ['/v1/messages', messagesHandler(intake)],
    ['/v1/jobs', jobSubmitHandler(intake, platform.store, enqueuer, checkCallback, responseStore)],
  ]);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestMetrics());
  app.use(healthRouter(platform, localWorkers));
  // Signed with the raw body: mounted before any body parser.
  app.use(openAIWebhooksRouter(platform, env.OPENAI_WEBHOOK_SECRET, log));
  app.use('/v1', authenticate(keys));
  // Multipart uploads (POST /v1/files) are streamed by their route, never parsed as JSON.
  app.use(express.json({ limit: bodyLimit, type: (req) => !/^multipart\//i.test(req.headers['content-type'] ?? '') }));
  app.use(bodyDepthLimit());
  if (admission) app.use('/v1', rateLimit(admission));
  app.use(hotRoutesRouter(hotRoutes));
  app.use(responsesRouter(responseStore));
  app.use(countTokensRouter(platform));
  // Anthropic-shaped /v1/models for Anthropic clients; mounted before the OpenAI-shaped list, which gets every other request.
  app.use(anthropicModelsRouter(platform.catalog));
  // After the Messages surface, whose router answers GET /v1/models in Anthropic's shape for anthropic-version requests.
  app.use(modelsRouter(platform.catalog));
  app.use(
    embeddingsRouter(platform, {
      attempts: env.PARSIMONY_SYNC_ATTEMPTS,
      cacheTtlSeconds: platform.env.PARSIMONY_CACHE === 'off' ? undefined : env.PARSIMONY_EMBEDDINGS_CACHE_TTL_SECONDS,
    }),
  );
  // The batch lever's pending pool: a cancelled deferred job leaves its group at once.
  const batchPool = new PendingPool(platform.redis, new BatchKeys(platform.env.PARSIMONY_QUEUE_PREFIX));
  app.use(jobsRouter(platform.store, platform.outcomes, enqueuer, batchPool));
  app.use(filesRouter(platform, env));
  app.use(batchesRouter(platform, env, validate));
  app.use(webhookDeliveriesRouter(platform, env));
  app.use(savingsRouter(platform));
  app.use(tiersRouter(platform));
  app.use(metricsRouter(platform, env.PARSIMONY_METRICS_KEY));
  app.use(adminRouter(platform, env.PARSIMONY_ADMIN_KEY));
  app.use(dashboardRouter());
  app.use(promptsRouter(platform));
  app.use(cacheRouter(platform));
  app.use(routingQualityRouter(platform));
  // Routing shadow evaluation: finished shadows are compared here (any number of producers; stopped by platform.close()).
  platform.startShadowComparer();
  // Verified cache: finished hit checks are compared here and move each scope's threshold.
  platform.startCacheCheckComparer();
  app.use(notFoundHandler);
  app.use(anthropicErrorHandler(log));
  app.use(errorHandler(log));
  return { app, listener: leanIngress({ routes: hotRoutes, keys, bodyLimit, admission, log }, app) };
}
