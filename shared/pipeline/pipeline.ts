import type { Catalog } from '../core/catalog/catalog';
import type { ChatRequest, ChatResponse } from '../core/chat-model';
import type { JobCost } from '../core/jobs/job-record';
import type { PipelineContext, Stage } from '../core/stage';
import { processStageCpu } from './stage-cpu';

export type PipelineResult = { kind: 'complete'; response: ChatResponse; deliveredBy: string; cost: JobCost } | { kind: 'defer'; reason: string };

/** Receives each stage's duration; metrics hook in here. */
export type StageObserver = (stage: string, durationMs: number, outcome: string) => void;

/**
 * Receives the CPU time (user + system, µs) charged to a stage run (`run`, and
 * its afterComplete hook as `<stage>:after_complete`) by the process's
 * StageCpuAccountant (stage-cpu.ts: exact one request at a time, shared
 * equally among concurrent stage runs otherwise).
 */
export type StageCpuObserver = (stage: string, cpuMicros: number) => void;

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
    /** Per-stage CPU (PARSIMONY_STAGE_CPU); none = not measured. */
    private readonly observeCpu?: StageCpuObserver,
  ) {}

  async run(ctx: PipelineContext): Promise<PipelineResult> {
    for (const stage of this.stages) {
      const started = performance.now();
      const cpu = this.observeCpu ? processStageCpu.start() : undefined;
      let outcomeKind = 'error';
      try {
        if (!stage.independent) await settlePending(ctx);
        const outcome = await stage.run(ctx);
        outcomeKind = outcome.kind;
        if (outcome.kind === 'complete') {
          await settlePending(ctx);
          const model = ctx.model ?? this.catalog.get(outcome.response.model);
          return { kind: 'complete', response: outcome.response, deliveredBy: outcome.deliveredBy, cost: ctx.ledger.price(this.catalog, model, outcome.response.usage) };
        }
        if (outcome.kind === 'defer') {
          await settlePending(ctx);
          return { kind: 'defer', reason: outcome.reason };
        }
      } finally {
        this.observe(stage.name, performance.now() - started, outcomeKind);
        if (cpu) this.observeCpu!(stage.name, processStageCpu.end(cpu));
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
   * The after-completion hooks of a job that finished elsewhere, on a context
   * rebuilt from its record: each stage first restores what its run() would
   * have kept in memory (`Stage.restore`, given the request as that stage saw it).
   */
  async settleRestored(ctx: PipelineContext, response: ChatResponse, requestSeenBy: (stage: string) => ChatRequest): Promise<void> {
    for (const stage of this.stages) {
      if (!stage.restore || !stage.afterComplete) continue;
      try {
        await stage.restore(ctx, requestSeenBy(stage.name));
      } catch (err) {
        ctx.log.warn({ err, stage: stage.name }, 'could not restore a stage for its after-complete hook');
      }
    }
    await this.settle(ctx, response);
  }

  /** Runs every stage's afterComplete hook; failures are logged, never thrown. */
  async settle(ctx: PipelineContext, response: ChatResponse): Promise<void> {
    for (const stage of this.stages) {
      if (!stage.afterComplete) continue;
      const cpu = this.observeCpu ? processStageCpu.start() : undefined;
      try {
        await stage.afterComplete(ctx, response);
      } catch (err) {
        ctx.log.warn({ err, stage: stage.name }, 'after-complete hook failed');
      } finally {
        if (cpu) this.observeCpu!(`${stage.name}:after_complete`, processStageCpu.end(cpu));
      }
    }
  }
}

/** Waits for the work stages left in `ctx.pending` (which never rejects). */
async function settlePending(ctx: PipelineContext): Promise<void> {
  if (ctx.pending?.length) await Promise.all(ctx.pending.splice(0));
}
