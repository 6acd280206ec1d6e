/**
 * Domain-grouped cross-validation on the training domains only (the
 * validation domains stay unseen while tuning). Prints one JSON line.
 *   npx tsx scripts/routing/cv.ts --mmlu FILE [--folds 4] [--l2-tokens X] [--l2-struct X] [--label soft_gain] [--bits 18]
 */
import { parseArgs } from 'node:util';
import { LinearModel } from '../../shared/levers/routing/model';
import { summarizeRequest } from '../../shared/levers/routing/request-summary';
import { isValidationDomain, readJsonl, ReplayRowSchema, requestFromPrompt } from './datasets';
import { replayMetrics } from './metrics';
import { DEFAULT_CONFIG, mmluTarget, trainWeights, type MmluLabel, type TrainConfig } from './training';

const { values } = parseArgs({
  options: {
    mmlu: { type: 'string', default: '/work/shared/data/routing-mmlu-dev.jsonl' },
    folds: { type: 'string', default: '4' },
    'l2-tokens': { type: 'string' },
    'l2-struct': { type: 'string' },
    'block-factor': { type: 'string' },
    label: { type: 'string' },
    bits: { type: 'string' },
    validation: { type: 'boolean', default: false },
  },
});
const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  ...(values['l2-tokens'] ? { l2Tokens: Number(values['l2-tokens']) } : {}),
  ...(values['l2-struct'] ? { l2Struct: Number(values['l2-struct']) } : {}),
  ...(values['block-factor'] ? { blockFactor: Number(values['block-factor']) } : {}),
  ...(values.label ? { label: values.label as MmluLabel } : {}),
  ...(values.bits ? { bits: Number(values.bits) } : {}),
};
const all = readJsonl(values.mmlu!, ReplayRowSchema);
const rows = all.filter((r) => !isValidationDomain(r.domain));
const toRow = (r: (typeof rows)[number]) => ({ request: requestFromPrompt(r.prompt), y: mmluTarget(config.label, r.weak_correct, r.strong_correct), pool: 'mmlu' as const });
if (values.validation) {
  // Train on the training domains, score the validation domains (what route:eval --split validation reports).
  const model = LinearModel.fromArray(config.bits, trainWeights(rows.map(toRow), config));
  const out = all.filter((r) => isValidationDomain(r.domain)).map((r) => ({ score: model.score(summarizeRequest(requestFromPrompt(r.prompt))).score, weak: r.weak_correct, strong: r.strong_correct }));
  process.stdout.write(`${JSON.stringify({ config, validation: replayMetrics(out) })}\n`);
  process.exit(0);
}
const domains = [...new Set(rows.map((r) => r.domain!))].sort();
const k = Number(values.folds);
const foldOf = new Map(domains.map((d, i) => [d, i % k]));
const perFold: number[] = [];
const pooled: { score: number; weak: boolean; strong: boolean }[] = [];
for (let fold = 0; fold < k; fold++) {
  const train = rows.filter((r) => foldOf.get(r.domain!) !== fold);
  const test = rows.filter((r) => foldOf.get(r.domain!) === fold);
  const w = trainWeights(
    train.map((r) => ({ request: requestFromPrompt(r.prompt), y: mmluTarget(config.label, r.weak_correct, r.strong_correct), pool: 'mmlu' as const })),
    config,
  );
  const model = LinearModel.fromArray(config.bits, w);
  const out = test.map((r) => ({ score: model.score(summarizeRequest(requestFromPrompt(r.prompt))).score, weak: r.weak_correct, strong: r.strong_correct }));
  perFold.push(replayMetrics(out).apgr);
  pooled.push(...out);
}
const mean = perFold.reduce((a, b) => a + b, 0) / k;
process.stdout.write(`${JSON.stringify({ config, folds: perFold, mean_apgr: Math.round(mean * 1e4) / 1e4, pooled: replayMetrics(pooled) })}\n`);
