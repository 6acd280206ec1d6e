/**
 * Router evaluation. Prints one JSON line.
 *
 *   npm run route:eval -- --replay FILE [--split validation|train|all] [--share X] [--weights FILE]
 *     FILE: JSONL of { prompt, weak_correct, strong_correct[, domain] }.
 *     → { n, weak_accuracy, strong_accuracy, apgr, cpt50, cpt80, at_default: { strong_share, accuracy } }
 *   npm run route:eval -- --tasks FILE [--split validation] [--hints] [--share X]
 *     FILE: JSONL of { prompt | turns[, category | task] }.
 *     → { n, by_category: { <category|task|"all">: { small, mid, frontier } } }
 *
 * --split validation keeps only what route:train never saw: replay rows whose
 * domain is one of the validation domains (see scripts/routing/datasets.ts),
 * or the odd-numbered rows of a tasks file (route:train uses the even rows of
 * MT-Bench). --hints passes each row's `task` to the router as the caller's
 * hint (off by default, so the learned router is what gets measured).
 * --share sets the frontier share (default PARSIMONY_ROUTER_FRONTIER_SHARE, else 0.5).
 */
import { parseArgs } from 'node:util';
import { Catalog } from '../../shared/core/catalog/catalog';
import { routerDefaultsFromEnv } from '../../shared/levers/routing/policy';
import { ComplexityRouter } from '../../shared/levers/routing/router';
import { isValidationDomain, readJsonl, ReplayRowSchema, TaskRowSchema, VALIDATION_DOMAINS } from './datasets';
import { replayReport, tasksReport } from './evaluate';

const { values } = parseArgs({
  options: {
    replay: { type: 'string' },
    tasks: { type: 'string' },
    split: { type: 'string', default: 'all' },
    share: { type: 'string' },
    hints: { type: 'boolean', default: false },
    weights: { type: 'string' },
  },
});
const split = values.split as 'all' | 'validation' | 'train';
if (!['all', 'validation', 'train'].includes(split)) throw new Error('--split must be all, validation or train');
if (!values.replay === !values.tasks) throw new Error('give exactly one of --replay FILE or --tasks FILE');

const defaults = routerDefaultsFromEnv(process.env);
const router = ComplexityRouter.load(Catalog.load(), { ...defaults, ...(values.weights ? { weightsPath: values.weights } : {}) });
const frontierShare = values.share !== undefined ? Number(values.share) : undefined;

if (values.replay) {
  const all = readJsonl(values.replay, ReplayRowSchema);
  const rows = split === 'all' ? all : all.filter((r) => isValidationDomain(r.domain) === (split === 'validation'));
  if (!rows.length) throw new Error(`no rows in split ${split} (validation domains: ${VALIDATION_DOMAINS.join(', ')})`);
  process.stdout.write(`${JSON.stringify(replayReport(router, rows, frontierShare))}\n`);
} else {
  const all = readJsonl(values.tasks!, TaskRowSchema);
  const rows = split === 'all' ? all : all.filter((_, i) => i % 2 === (split === 'validation' ? 1 : 0));
  process.stdout.write(`${JSON.stringify(tasksReport(router, rows, { hints: values.hints, frontierShare }))}\n`);
}
