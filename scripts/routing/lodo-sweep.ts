/**
 * Leave-one-domain-out sweep of training configurations: pooled held-out APGR / CPT for each, rows
 * prepared once. For choosing the recipe (route:eval then measures the chosen one in full). One JSON
 * line per configuration on stdout.
 *   npx tsx scripts/routing/lodo-sweep.ts --set '{"l2Tokens":0.01}' --set '{"l2Tokens":0.1}' [--mmlu FILE] [--folds 6]
 * --folds K holds out K groups of domains (domain i → group i mod K, sorted by name) instead of one domain at a
 * time: K fits instead of 29, for screening on a busy machine; still grouped by domain, never a random split.
 */
import { parseArgs } from 'node:util';
import { readJsonl, ReplayRowSchema } from './datasets';
import { heldOutPass } from './artifact';
import { replayMetrics } from './metrics';
import { QualityCurve, qualityCurveFrom } from '../../shared/levers/routing/quality-target';
import { DEFAULT_MMLU, loadRecipe, mmluRows, taskRows } from './recipe';
import { DEFAULT_CONFIG, prepareRows, type TrainConfig } from './training';

const { values } = parseArgs({ options: { mmlu: { type: 'string', default: DEFAULT_MMLU }, set: { type: 'string', multiple: true, default: ['{}'] }, folds: { type: 'string' } } });
const rows = readJsonl(values.mmlu!, ReplayRowSchema);
const configs = values.set!.map((s) => ({ ...DEFAULT_CONFIG, ...(JSON.parse(s) as Partial<TrainConfig>) }));
const bits = new Set(configs.map((c) => c.bits));
if (bits.size !== 1) throw new Error('one --bits per sweep (rows are hashed once)');
const tasks = prepareRows(taskRows(loadRecipe()), configs[0].bits);
const prepared = prepareRows(mmluRows(rows, configs[0]), configs[0].bits);
const domains = [...new Set(prepared.map((p) => p.group!))].sort();
const folds = values.folds ? Number(values.folds) : domains.length;
const foldOf = new Map(domains.map((d, i) => [d, `fold${i % folds}`]));
for (const [i, config] of configs.entries()) {
  const started = Date.now();
  // Targets depend on the label: recompute them for this configuration (features stay).
  const labelled = mmluRows(rows, config);
  prepared.forEach((p, k) => (p.y = labelled[k].y));
  // Targets are computed per real domain above; the folds only decide what is held out together.
  const held = heldOutPass(
    rows,
    prepared.map((p) => ({ ...p, group: foldOf.get(p.group!) })),
    tasks,
    config,
  );
  // Pooled held-out frontier share for the default quality target 0.99 (the policy's derived share, before per-fold calibration).
  const curve = qualityCurveFrom(held.outcomes, 100);
  const share99 = new QualityCurve(curve.shares, curve.quality, 'sweep').frontierShareFor(0.99);
  process.stdout.write(`${JSON.stringify({ set: JSON.parse(values.set![i]), folds, ...replayMetrics(held.outcomes), share_for_q99: share99, seconds: Math.round((Date.now() - started) / 1000) })}\n`);
}
