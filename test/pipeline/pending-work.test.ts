import { Catalog } from '../../shared/core/catalog/catalog';
import { CONTINUE, type PipelineContext, type Stage, type StageOutcome } from '../../shared/core/stage';
import { Pipeline } from '../../shared/pipeline/pipeline';
import { answer, chat, pipelineContext, sleep } from '../cache/cache-test-helpers';

/**
 * ctx.pending: a stage may start work without waiting for it (the baseline
 * provider-cache estimate does, so its Redis read shares a round trip with the
 * cache's exact tier). An `independent` stage runs while it is outstanding;
 * every other stage, and the pricing of the job, waits for it.
 */
const catalog = Catalog.load();

/** Starts work that fills an annotation after `ms`, without waiting for it. */
function deferredWriter(ms: number): Stage {
  return {
    name: 'deferred_writer',
    run: (ctx) => {
      (ctx.pending ??= []).push(sleep(ms).then(() => void (ctx.annotations.filled = true)));
      return Promise.resolve(CONTINUE);
    },
  };
}

/** Records whether the deferred work had finished when it ran; completes the job when `complete`. */
function observer(name: string, seen: Record<string, boolean>, options: { independent?: boolean; complete?: boolean } = {}): Stage {
  return {
    name,
    independent: options.independent,
    run: (ctx: PipelineContext): Promise<StageOutcome> => {
      seen[name] = ctx.annotations.filled === true;
      return Promise.resolve(options.complete ? { kind: 'complete', response: answer('done'), deliveredBy: name } : CONTINUE);
    },
  };
}

test('an independent stage runs before the pending work is done; the next stage waits for it', async () => {
  const seen: Record<string, boolean> = {};
  const pipeline = new Pipeline([deferredWriter(50), observer('independent', seen, { independent: true }), observer('dependent', seen, { complete: true })], catalog);
  const ctx = pipelineContext('pending-tenant', chat('hello'));
  const result = await pipeline.run(ctx);
  expect(result.kind).toBe('complete');
  expect(seen).toEqual({ independent: false, dependent: true });
  expect(ctx.pending).toEqual([]);
});

test('a job completed by an independent stage is priced only after the pending work is done', async () => {
  const seen: Record<string, boolean> = {};
  const pipeline = new Pipeline([deferredWriter(50), observer('independent', seen, { independent: true, complete: true })], catalog);
  const ctx = pipelineContext('pending-tenant', chat('hello'));
  await pipeline.run(ctx);
  expect(seen).toEqual({ independent: false });
  // Finished before run() resolved: what it fills is in the ledger and annotations the completion stores.
  expect(ctx.annotations.filled).toBe(true);
});
