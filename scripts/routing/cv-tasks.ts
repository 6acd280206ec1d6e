/**
 * Held-out check of the open-prompt side: 5-fold cross-validation over the
 * team's task examples (each fold trained without it, with the MMLU training
 * domains and the even MT-Bench rows), plus the odd MT-Bench rows. Prints
 * one JSON line with the tier mix per expected tier / category.
 *   npx tsx scripts/routing/cv-tasks.ts [--folds 5] [--task-weight X] [--l2-tokens X]
 */
import { parseArgs } from 'node:util';
import { Catalog } from '../../shared/core/catalog/catalog';
import { ComplexityRouter } from '../../shared/levers/routing/router';
import { isValidationDomain, readJsonl, ReplayRowSchema, requestFromPrompt, requestFromTurns, TaskRowSchema } from './datasets';
import { tasksReport } from './evaluate';
import { DEFAULT_CONFIG, mmluTarget, prepareRows, trainWeights, type LabelledRequest, type TrainConfig } from './training';
import { assemble, centroidsOf } from './artifact';
import { encoderForTraining } from './training-encoder';
import { loadWeightsFile } from '../../shared/levers/routing/weights-file';

const { values } = parseArgs({
  options: {
    mmlu: { type: 'string', default: '/work/shared/data/routing-mmlu-dev.jsonl' },
    mtbench: { type: 'string', default: '/work/shared/data/tasks-mtbench.jsonl' },
    examples: { type: 'string', default: 'scripts/routing/examples/task-examples.jsonl' },
    folds: { type: 'string', default: '5' },
    'task-weight': { type: 'string' },
    'l2-tokens': { type: 'string' },
    'l2-struct': { type: 'string' },
    share: { type: 'string' },
    encoder: { type: 'string', default: 'embedded' },
  },
});
const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  ...(values['task-weight'] ? { taskWeight: Number(values['task-weight']) } : {}),
  ...(values['l2-tokens'] ? { l2Tokens: Number(values['l2-tokens']) } : {}),
  ...(values['l2-struct'] ? { l2Struct: Number(values['l2-struct']) } : {}),
};
const TIER_TARGET = { small: 0, mid: 0.5, frontier: 1 } as const;
const encoder = values.encoder === 'off' ? undefined : encoderForTraining();
const shipped = loadWeightsFile();
const mmlu = readJsonl(values.mmlu!, ReplayRowSchema);
const mtbench = readJsonl(values.mtbench!, TaskRowSchema);
const examples = readJsonl(values.examples!, TaskRowSchema);
const k = Number(values.folds);
// Without the old fixed validation domains, as before (a quicker check of the open-prompt side).
const mmluRows: LabelledRequest[] = mmlu
  .filter((r) => !isValidationDomain(r.domain))
  .map((r) => ({ request: requestFromPrompt(r.prompt), y: mmluTarget(config.label, r.weak_correct, r.strong_correct), pool: 'mmlu' }));
const mtRows: LabelledRequest[] = mtbench
  .filter((_, i) => i % 2 === 0)
  .flatMap((r) => r.turns!.map((_, i) => ({ request: requestFromTurns(r.turns!, i), y: r.category === 'extraction' ? 0.5 : 1, pool: 'tasks' as const })));
const frontierShare = values.share ? Number(values.share) : undefined;
const held: { tier: string; got: string; prompt: string }[] = [];
const mt: Record<string, Record<string, number>> = {};
for (let fold = 0; fold < k; fold++) {
  const train = examples.filter((_, i) => i % k !== fold);
  const test = examples.filter((_, i) => i % k === fold);
  const rows = [...mmluRows, ...mtRows, ...train.map((r) => ({ request: requestFromPrompt(r.prompt!, r), y: TIER_TARGET[r.tier ?? 'frontier'], pool: 'tasks' as const }))];
  const prepared = prepareRows(rows, config.bits, encoder);
  // The fold's own weights and centroids; the quality curve and OOD threshold are the shipped ones (chosen leave-one-domain-out).
  const weights = assemble(
    trainWeights(prepared, config),
    config,
    prepared.filter((r) => r.pool === 'mmlu'),
    { outcomes: [] },
    { encoder: encoder?.fingerprint, trainRows: prepared, centroids: encoder ? centroidsOf(prepared) : undefined },
  );
  if (shipped.quality_curve) weights.quality_curve = shipped.quality_curve;
  if (weights.ood && shipped.ood) weights.ood.threshold = shipped.ood.threshold;
  const router = ComplexityRouter.load(Catalog.load(), { weights, encoder });
  for (const r of test) held.push({ tier: r.tier!, got: router.decide({ request: requestFromPrompt(r.prompt!, r), requestedModel: 'auto', frontierShare }).tier, prompt: r.prompt! });
  if (fold === 0)
    Object.assign(
      mt,
      tasksReport(
        router,
        mtbench.filter((_, i) => i % 2 === 1),
        { frontierShare },
      ).by_category,
    );
}
const mix: Record<string, Record<string, number>> = {};
for (const h of held) {
  mix[h.tier] ??= { small: 0, mid: 0, frontier: 0 };
  mix[h.tier][h.got]++;
}
const misses = held.filter((h) => (h.tier === 'small' && h.got !== 'small') || (h.tier === 'frontier' && h.got !== 'frontier')).map((h) => `${h.tier}->${h.got}: ${h.prompt.slice(0, 80)}`);
process.stdout.write(`${JSON.stringify({ config, examples_heldout: mix, mtbench_validation: mt, misses })}\n`);
