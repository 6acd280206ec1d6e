/**
 * Trains the router's classifier and writes shared/levers/routing/weights.json.
 *
 *   npm run route:train -- [--mmlu FILE] [--mtbench FILE] [--examples FILE] [--out FILE] [--encoder embedded|off]
 *
 * Data (recipe.ts): every MMLU dev domain (target: RouteLLM's "weak fails where strong succeeds", as a
 * soft label), the team's task examples and the even-numbered half of MT-Bench (the odd rows stay held
 * out). What is chosen on held-out data is chosen leave-one-domain-out (artifact.ts): 28 folds, each
 * trained without one domain, give the held-out scores behind the quality curve (quality target →
 * frontier share) and the out-of-distribution threshold. Prints one JSON line.
 */
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Catalog } from '../../shared/core/catalog/catalog';
import { ComplexityRouter } from '../../shared/levers/routing/router';
import { parseWeightsFile } from '../../shared/levers/routing/weights-file';
import { assemble, centroidsOf, OOD_FIRE_RATE } from './artifact';
import { lodoRun } from './lodo-report';
import { sha256File } from './datasets';
import { replayReport, tasksReport } from './evaluate';
import { DEFAULT_EXAMPLES, DEFAULT_MMLU, DEFAULT_MTBENCH, loadRecipe, mmluRows, ROOT, taskRows } from './recipe';
import { encoderForTraining } from './training-encoder';
import { DEFAULT_CONFIG, prepareRows, trainWeights, type TrainConfig } from './training';

const { values } = parseArgs({
  options: {
    mmlu: { type: 'string', default: DEFAULT_MMLU },
    mtbench: { type: 'string', default: DEFAULT_MTBENCH },
    examples: { type: 'string', default: DEFAULT_EXAMPLES },
    out: { type: 'string', default: resolve(ROOT, 'shared/levers/routing/weights.json') },
    encoder: { type: 'string', default: 'embedded' },
    'l2-tokens': { type: 'string' },
    'l2-struct': { type: 'string' },
    'l2-dense': { type: 'string' },
    'task-weight': { type: 'string' },
    'min-weight': { type: 'string', default: '0.002' },
  },
});
const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  ...(values['l2-tokens'] ? { l2Tokens: Number(values['l2-tokens']) } : {}),
  ...(values['l2-struct'] ? { l2Struct: Number(values['l2-struct']) } : {}),
  ...(values['l2-dense'] ? { l2Dense: Number(values['l2-dense']) } : {}),
  ...(values['task-weight'] ? { taskWeight: Number(values['task-weight']) } : {}),
};
const encoder = values.encoder === 'off' ? undefined : encoderForTraining();
const recipe = loadRecipe({ mmlu: values.mmlu, mtbench: values.mtbench, examples: values.examples });
const started = Date.now();
const mmlu = prepareRows(mmluRows(recipe.mmlu, config), config.bits, encoder);
const tasks = prepareRows(taskRows(recipe), config.bits, encoder);
// The leave-one-domain-out run of route:eval, on the same prepared rows: its held-out pass gives the curve and OOD threshold.
const lodo = lodoRun(recipe.mmlu, {}, encoder, config, { tasks, prepared: mmlu });
const held = lodo.held;
const theta = trainWeights(mmlu.concat(tasks), config);
const trainSeconds = (Date.now() - started) / 1000;

const rel = (p: string) => relative(ROOT, resolve(p)).replace(/^(\.\.\/)+shared\/data/, '/work/shared/data');
const file = assemble(theta, config, mmlu, held, {
  encoder: encoder?.fingerprint,
  trainRows: mmlu.concat(tasks),
  centroids: encoder ? centroidsOf(mmlu.concat(tasks)) : undefined,
  minWeight: Number(values['min-weight']),
  reference: `${rel(values.mmlu!)}: all ${recipe.mmlu.length} prompts (labels unused)`,
  header: {
    command: `npm run route:train${values.encoder === 'off' ? ' -- --encoder off' : ''}`,
    label: 'MMLU: soft target (1 + strong_correct − weak_correct) / 2 (RouteLLM: weak fails where strong succeeds); tasks: small 0, mid 0.5, frontier 1',
    data: [
      {
        path: rel(values.mmlu!),
        rows: recipe.mmlu.length,
        sha256: sha256File(values.mmlu!),
        use: 'train (all domains; quality curve and OOD threshold from leave-one-domain-out folds)',
        licence: 'lm-sys/RouteLLM MMLU responses, Apache-2.0',
      },
      {
        path: rel(values.mtbench!),
        rows: Math.ceil(recipe.mtbench.length / 2),
        sha256: sha256File(values.mtbench!),
        use: 'train (even rows; odd rows are validation)',
        licence: 'lm-sys/RouteLLM MT-Bench questions, Apache-2.0',
      },
      { path: rel(values.examples!), rows: recipe.examples.length, sha256: sha256File(values.examples!), use: 'train (hand-written by the Parsimony team)' },
    ],
    validation_domains: [],
    training: { ...config, examples: mmlu.length + tasks.length, seconds: trainSeconds, encoder: encoder?.fingerprint ?? 'none', ood_fire_rate: OOD_FIRE_RATE },
  },
});
file.header.training.nonzero_weights = file.w.length;

const router = ComplexityRouter.load(Catalog.load(), { weights: file, encoder });
const mtOdd = recipe.mtbench.filter((_, i) => i % 2 === 1);
file.header.metrics = {
  lodo: lodo.report,
  replay_train: replayReport(router, recipe.mmlu),
  mtbench_validation: tasksReport(router, mtOdd),
  mtbench_validation_first_turn: tasksReport(
    router,
    mtOdd.map((r) => ({ prompt: r.turns![0], category: r.category })),
  ),
  examples_train: tasksReport(
    router,
    recipe.examples.map((e) => ({ ...e, category: e.tier })),
  ),
};
parseWeightsFile(file, 'trained weights');
writeFileSync(values.out!, `${JSON.stringify(file)}\n`);
process.stdout.write(
  `${JSON.stringify({ out: rel(values.out!), bytes: JSON.stringify(file).length, ...file.header.training, ood_threshold: file.ood?.threshold ?? null, metrics: file.header.metrics })}\n`,
);
