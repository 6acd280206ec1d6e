/**
 * The routing lever's public API. The pipeline's route stage builds one
 * router at start-up and calls `decide` per request:
 *
 *   const router = ComplexityRouter.load(catalog, routerDefaultsFromEnv(env));
 *   const decision = router.decide({ request, requestedModel: job.options.requested_model, task: job.options.task });
 */
export { ComplexityRouter, type RouteInput, type RouterDecision, type RouterOptions } from './router';
export { RoutingPolicySchema, RouterEnvSchema, routerDefaultsFromEnv, DEFAULT_FRONTIER_SHARE, DEFAULT_SMALL_SHARE, type RoutingPolicy } from './policy';
export { TASK_KINDS, GUARDED_TASKS, normalizeTask, detectTask, type TaskKind } from './task-hints';
export { Calibration, computeQuantiles } from './calibration';
export { loadWeightsFile, parseWeightsFile, WeightsFileSchema, DEFAULT_WEIGHTS_PATH, type WeightsFile } from './weights-file';
export { tierRank, requiredCapabilities, resolveTierModel } from './tiers';
