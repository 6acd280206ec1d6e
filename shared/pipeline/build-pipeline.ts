import type { Catalog } from '../catalog/catalog';
import type { ProviderAdapter } from '../providers/provider-adapter';
import type { ProviderError } from '../errors/provider-error';
import { Pipeline, type StageObserver } from './pipeline';
import type { Stage } from './stage';
import { ValidateStage } from './stages/validate-stage';
import { RouteStage, type ModelRouter } from './stages/route-stage';
import { ExecuteStage } from './stages/execute-stage';

export interface PipelineDeps {
  catalog: Catalog;
  adapterFor: (provider: string) => ProviderAdapter;
  isProviderConfigured: (provider: string) => boolean;
  /** Attempts per provider call inside the pipeline (fast path > 1, queued path 1). */
  attempts: number;
  timeoutMs: number;
  backoffMs: (attempt: number, error: ProviderError) => number;
  router?: ModelRouter;
  observe?: StageObserver;
}

/**
 * The one place that orders the levers. Each lever is one stage:
 *
 *   validate → route → cache → compact → compress → prompt-cache → execute | defer-to-batch
 *
 * and pricing (the cost waterfall) happens when a stage completes the job.
 */
export function buildPipeline(deps: PipelineDeps): { pipeline: Pipeline; validate: ValidateStage } {
  const validate = new ValidateStage(deps.catalog, deps.isProviderConfigured);
  const stages: Stage[] = [
    validate,
    new RouteStage(deps.catalog, deps.router),
    // cache (semantic cache lever) slots in here
    // compact (context hygiene), compress (prompt compression), prompt-cache marks slot in here
    // defer-to-batch (batch lever) slots in here, before execute
    new ExecuteStage({ adapterFor: deps.adapterFor, attempts: deps.attempts, timeoutMs: deps.timeoutMs, backoffMs: deps.backoffMs }),
  ];
  return { pipeline: new Pipeline(stages, deps.catalog, deps.observe), validate };
}
