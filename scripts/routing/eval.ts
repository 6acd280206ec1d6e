/**
 * Router evaluation. Prints one JSON line.
 *
 *   npm run route:eval [-- --lodo FILE]
 *     Leave-one-domain-out over a replay file (default: the MMLU dev data): for every domain (`domain`,
 *     else `source`) the router is trained as route:train trains it, without that domain, and decides
 *     the held-out domain's rows; the quality curve and the out-of-distribution threshold of each fold
 *     come from the other domains' held-out rows only.
 *     → { apgr, cpt50, cpt80, mean_domain_apgr, at_default: { accuracy, all_frontier_accuracy, gap_points,
 *         cost_saved, strong_share, ood_fired, ... }, per_domain: { <domain>: { n, apgr, gap_points, ... } } }
 *   npm run route:eval -- --replay FILE [--split validation|train|all]
 *     The shipped (or --weights) router on any replay file: JSONL of { prompt, weak_correct, strong_correct[, domain] }.
 *   npm run route:eval -- --tasks FILE [--split validation] [--hints]
 *     FILE: JSONL of { prompt | turns[, category | task] } → tier shares per category.
 *
 * Policy: the quality target (--quality-target, default PARSIMONY_ROUTER_QUALITY_TARGET, else 0.99), or a
 * fixed --share. --output-tokens: answer length assumed for pricing (default 100). --split validation keeps
 * the rows of the old fixed validation domains (scripts/routing/datasets.ts) or the odd MT-Bench rows.
 */
import { parseArgs } from 'node:util';
import { Catalog } from '../../shared/core/catalog/catalog';
import { routerDefaultsFromEnv } from '../../shared/levers/routing/policy';
import { ComplexityRouter } from '../../shared/levers/routing/router';
import { isValidationDomain, readJsonl, ReplayRowSchema, TaskRowSchema, VALIDATION_DOMAINS } from './datasets';
import { replayReport, tasksReport, type ReplayPolicy } from './evaluate';
import { lodoReport } from './lodo-report';
import { DEFAULT_MMLU } from './recipe';
import { encoderForTraining } from './training-encoder';

const { values } = parseArgs({
  options: {
    lodo: { type: 'string' },
    replay: { type: 'string' },
    tasks: { type: 'string' },
    split: { type: 'string', default: 'all' },
    share: { type: 'string' },
    'quality-target': { type: 'string' },
    'output-tokens': { type: 'string' },
    hints: { type: 'boolean', default: false },
    weights: { type: 'string' },
    encoder: { type: 'string', default: 'embedded' },
  },
});
const split = values.split as 'all' | 'validation' | 'train';
if (!['all', 'validation', 'train'].includes(split)) throw new Error('--split must be all, validation or train');
if ([values.lodo, values.replay, values.tasks].filter(Boolean).length > 1) throw new Error('give at most one of --lodo, --replay, --tasks');

const defaults = routerDefaultsFromEnv(process.env);
const policy: ReplayPolicy = {
  frontierShare: values.share !== undefined ? Number(values.share) : defaults.frontierShare,
  qualityTarget: values['quality-target'] !== undefined ? Number(values['quality-target']) : defaults.qualityTarget,
  outputTokens: values['output-tokens'] !== undefined ? Number(values['output-tokens']) : undefined,
};
const encoder = values.encoder === 'off' ? undefined : encoderForTraining();
const load = () => ComplexityRouter.load(Catalog.load(), { ...defaults, ...(values.weights ? { weightsPath: values.weights } : {}), encoder });

if (values.replay) {
  const all = readJsonl(values.replay, ReplayRowSchema);
  const rows = split === 'all' ? all : all.filter((r) => isValidationDomain(r.domain) === (split === 'validation'));
  if (!rows.length) throw new Error(`no rows in split ${split} (validation domains: ${VALIDATION_DOMAINS.join(', ')})`);
  const router = load();
  process.stdout.write(`${JSON.stringify({ mode: 'replay', file: values.replay, encoder: router.usesEncoder, ...replayReport(router, rows, policy) })}\n`);
} else if (values.tasks) {
  const all = readJsonl(values.tasks, TaskRowSchema);
  const rows = split === 'all' ? all : all.filter((_, i) => i % 2 === (split === 'validation' ? 1 : 0));
  process.stdout.write(`${JSON.stringify(tasksReport(load(), rows, { hints: values.hints, frontierShare: policy.frontierShare }))}\n`);
} else {
  const file = values.lodo ?? DEFAULT_MMLU;
  process.stdout.write(`${JSON.stringify({ mode: 'leave-one-domain-out', file, ...lodoReport(readJsonl(file, ReplayRowSchema), policy, encoder) })}\n`);
}
