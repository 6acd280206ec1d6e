import type { Catalog } from '../catalog/catalog';
import type { ChatRequest, ChatResponse } from '../messages/chat-model';
import type { JobCost } from '../jobs/job-record';
import type { PipelineContext, Stage } from './stage';

export type PipelineResult =
  | { kind: 'complete'; response: ChatResponse; deliveredBy: string; cost: JobCost }
  | { kind: 'defer'; reason: string };

/** Receives each stage's duration; metrics hook in here. */
export type StageObserver = (stage: string, durationMs: number, outcome: string) => void;

/**
 * Runs the stages in order until one completes or defers the job, then prices
 * the result. The same instance serves the fast path (in-process) and the
 * router-worker (from the queue), so every lever has one implementation.
 */
export class Pipeline {
  constructor(
    readonly stages: readonly Stage[],
    private readonly catalog: Catalog,
    private readonly observe: StageObserver = () => {},
  ) {}

  async run(ctx: PipelineContext): Promise<PipelineResult> {
    for (const stage of this.stages) {
      const started = performance.now();
      let outcomeKind = 'error';
      try {
        const outcome = await stage.run(ctx);
        outcomeKind = outcome.kind;
        if (outcome.kind === 'complete') {
          const model = ctx.model ?? this.catalog.get(outcome.response.model);
          return { kind: 'complete', response: outcome.response, deliveredBy: outcome.deliveredBy, cost: ctx.ledger.price(this.catalog, model, outcome.response.usage) };
        }
        if (outcome.kind === 'defer') return { kind: 'defer', reason: outcome.reason };
      } finally {
        this.observe(stage.name, performance.now() - started, outcomeKind);
      }
    }
    throw new Error(`pipeline ended without a result: the last stage (${this.stages.at(-1)?.name}) must complete or defer`);
  }

  /** Runs every stage's onFailed hook; errors are logged, never thrown. */
  async settleFailure(ctx: PipelineContext): Promise<void> {
    for (const stage of this.stages) {
      if (!stage.onFailed) continue;
      try {
        await stage.onFailed(ctx);
      } catch (err) {
        ctx.log.warn({ err, stage: stage.name }, 'on-failed hook failed');
      }
    }
  }

  /**
   * settle() for a context rebuilt in another process (a job a provider batch
   * answered, see after-complete-context.ts). A stage that keeps per-job state
   * in memory from run() to afterComplete lost it with the original context:
   * for each stage `replay` names a request for, run() is played again on
   * that request first, to rebuild the state. What the replay writes on the
   * context (annotations, the request) is put back before the hooks run, so
   * every hook sees the job as it was deferred; a replay that answers the job
   * (e.g. the cache has the answer by now) leaves that stage nothing to do.
   */
  async settleReplaying(ctx: PipelineContext, response: ChatResponse, replay: (stage: string) => ChatRequest | undefined): Promise<void> {
    const request = ctx.request;
    const annotations = structuredClone(ctx.annotations);
    for (const stage of this.stages) {
      const replayed = stage.afterComplete ? replay(stage.name) : undefined;
      if (!replayed) continue;
      try {
        ctx.request = replayed;
        const outcome = await stage.run(ctx);
        if (outcome.kind !== 'continue') ctx.log.debug({ stage: stage.name, outcome: outcome.kind }, 'replayed stage finished the job by itself; its hook has nothing to do');
      } catch (err) {
        ctx.log.warn({ err, stage: stage.name }, 'stage replay before its after-complete hook failed');
      }
    }
    ctx.request = request;
    for (const key of Object.keys(ctx.annotations)) delete ctx.annotations[key];
    Object.assign(ctx.annotations, annotations);
    await this.settle(ctx, response);
  }

  /** Runs every stage's afterComplete hook; failures are logged, never thrown. */
  async settle(ctx: PipelineContext, response: ChatResponse): Promise<void> {
    for (const stage of this.stages) {
      if (!stage.afterComplete) continue;
      try {
        await stage.afterComplete(ctx, response);
      } catch (err) {
        ctx.log.warn({ err, stage: stage.name }, 'after-complete hook failed');
      }
    }
  }
}
