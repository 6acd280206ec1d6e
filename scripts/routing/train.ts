/**
 * Trains the router's classifier and writes shared/levers/routing/weights.json.
 *
 *   npm run route:train -- [--mmlu FILE] [--mtbench FILE] [--examples FILE] [--out FILE] [--all]
 *
 * Data: MMLU rows of the training domains (target: RouteLLM's "weak fails
 * where strong succeeds", as a soft label), the team's task examples
 * (scripts/routing/examples/task-examples.jsonl, small = 0, mid = 0.5,
 * frontier = 1) and the even-numbered half of MT-Bench (extraction = 0.5,
 * other categories = 1). The validation MMLU domains and the odd MT-Bench
 * rows are never trained on unless --all is given. Prints one JSON line.
 */
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Catalog } from '../../shared/core/catalog/catalog';
import { ComplexityRouter } from '../../shared/levers/routing/router';
import { parseWeightsFile } from '../../shared/levers/routing/weights-file';
import { isValidationDomain, readJsonl, ReplayRowSchema, requestFromPrompt, requestFromTurns, sha256File, TaskRowSchema, VALIDATION_DOMAINS } from './datasets';
import { replayReport, tasksReport } from './evaluate';
import { DEFAULT_CONFIG, mmluTarget, packWeights, trainWeights, weightsFile, type LabelledRequest, type TrainConfig } from './training';

const ROOT = resolve(__dirname, '../..');
const { values } = parseArgs({
  options: {
    mmlu: { type: 'string', default: resolve(ROOT, '../shared/data/routing-mmlu-dev.jsonl') },
    mtbench: { type: 'string', default: resolve(ROOT, '../shared/data/tasks-mtbench.jsonl') },
    examples: { type: 'string', default: resolve(ROOT, 'scripts/routing/examples/task-examples.jsonl') },
    out: { type: 'string', default: resolve(ROOT, 'shared/levers/routing/weights.json') },
    all: { type: 'boolean', default: false },
    'l2-tokens': { type: 'string' },
    'l2-struct': { type: 'string' },
    'task-weight': { type: 'string' },
    'min-weight': { type: 'string', default: '0.002' },
  },
});
const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  ...(values['l2-tokens'] ? { l2Tokens: Number(values['l2-tokens']) } : {}),
  ...(values['l2-struct'] ? { l2Struct: Number(values['l2-struct']) } : {}),
  ...(values['task-weight'] ? { taskWeight: Number(values['task-weight']) } : {}),
};

const TIER_TARGET = { small: 0, mid: 0.5, frontier: 1 } as const;
const mmlu = readJsonl(values.mmlu!, ReplayRowSchema);
const mtbench = readJsonl(values.mtbench!, TaskRowSchema);
const examples = readJsonl(values.examples!, TaskRowSchema);
const mmluTrain = values.all ? mmlu : mmlu.filter((r) => !isValidationDomain(r.domain));
const mtTrain = values.all ? mtbench : mtbench.filter((_, i) => i % 2 === 0);

const rows: LabelledRequest[] = [
  ...mmluTrain.map((r) => ({ request: requestFromPrompt(r.prompt), y: mmluTarget(config.label, r.weak_correct, r.strong_correct), pool: 'mmlu' as const })),
  ...examples.map((r) => ({ request: requestFromPrompt(r.prompt!, r), y: TIER_TARGET[r.tier ?? 'frontier'], pool: 'tasks' as const })),
  ...mtTrain.flatMap((r) =>
    r.turns!.map((_, i) => ({ request: requestFromTurns(r.turns!, i), y: r.category === 'extraction' ? 0.5 : 1, pool: 'tasks' as const })),
  ),
];
const started = Date.now();
const theta = trainWeights(rows, config);
const trainSeconds = (Date.now() - started) / 1000;

const packed = packWeights(theta, config.bits, mmlu.map((r) => r.prompt), Number(values['min-weight']));
const rel = (p: string) => relative(ROOT, resolve(p)).replace(/^(\.\.\/)+shared\/data/, '/work/shared/data');
const file = weightsFile(
  packed,
  {
    command: `npm run route:train${values.all ? ' -- --all' : ''}`,
    label: 'MMLU: soft target (1 + strong_correct − weak_correct) / 2 (RouteLLM: weak fails where strong succeeds); tasks: small 0, mid 0.5, frontier 1',
    data: [
      { path: rel(values.mmlu!), rows: mmluTrain.length, sha256: sha256File(values.mmlu!), use: values.all ? 'train (all domains)' : 'train (domains not in validation_domains)', licence: 'lm-sys/RouteLLM MMLU responses, Apache-2.0' },
      { path: rel(values.mtbench!), rows: mtTrain.length, sha256: sha256File(values.mtbench!), use: values.all ? 'train (all rows)' : 'train (even rows; odd rows are validation)', licence: 'lm-sys/RouteLLM MT-Bench questions, Apache-2.0' },
      { path: rel(values.examples!), rows: examples.length, sha256: sha256File(values.examples!), use: 'train (hand-written by the Parsimony team)' },
    ],
    validation_domains: values.all ? [] : [...VALIDATION_DOMAINS],
    training: { ...config, examples: rows.length, seconds: trainSeconds, nonzero_weights: packed.w.length },
  },
  `${rel(values.mmlu!)}: all ${mmlu.length} prompts (labels unused)`,
);

const router = ComplexityRouter.load(Catalog.load(), { weights: file });
const validation = mmlu.filter((r) => isValidationDomain(r.domain));
file.header.metrics = {
  replay_validation: validation.length ? replayReport(router, validation) : null,
  replay_train: replayReport(router, mmluTrain),
  mtbench_validation: tasksReport(router, mtbench.filter((_, i) => i % 2 === 1)),
  mtbench_validation_first_turn: tasksReport(router, mtbench.filter((_, i) => i % 2 === 1).map((r) => ({ prompt: r.turns![0], category: r.category }))),
  examples_train: tasksReport(router, examples.map((e) => ({ ...e, category: e.tier }))),
};
parseWeightsFile(file, 'trained weights');
writeFileSync(values.out!, `${JSON.stringify(file)}\n`);
process.stdout.write(`${JSON.stringify({ out: rel(values.out!), bytes: JSON.stringify(file).length, ...file.header.training, metrics: file.header.metrics })}\n`);
