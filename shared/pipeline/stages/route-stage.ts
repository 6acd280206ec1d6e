import type { Catalog, ModelEntry } from '../../catalog/catalog';
import type { RouteDecision } from '../../jobs/job-record';
import { CONTINUE, type PipelineContext, type Stage, type StageOutcome } from '../stage';

/**
 * Decides the model the rest of the pipeline uses. An explicit catalog model
 * is honoured as asked; "auto" goes to the router when one is configured,
 * otherwise to the catalog's default.
 */
export interface ModelRouter {
  decide(ctx: PipelineContext): RouteDecision;
}

export class RouteStage implements Stage {
  readonly name = 'route';

  constructor(
    private readonly catalog: Catalog,
    private readonly router?: ModelRouter,
  ) {}

  async run(ctx: PipelineContext): Promise<StageOutcome> {
    const requested = ctx.job.options.requested_model;
    let decision: RouteDecision;
    if (requested !== 'auto') decision = describe(this.catalog.get(requested), 'explicit model requested by the caller: not routed');
    else if (this.router) decision = this.router.decide(ctx);
    else decision = describe(this.catalog.defaultAuto, 'model "auto": catalog default (no router configured)');
    ctx.route = decision;
    ctx.model = this.catalog.get(decision.model);
    ctx.request = { ...ctx.request, model: decision.model };
    return CONTINUE;
  }
}

function describe(model: ModelEntry, reason: string): RouteDecision {
  return { model: model.id, provider: model.provider, tier: model.tier, reason };
}
