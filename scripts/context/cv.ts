/**
 * Chooses the context lever's parameters by cross-validation grouped by task id.
 *
 *   npx tsx scripts/context/cv.ts [--folds 5] [--min-cycles 10] EVAL.json…
 *
 * Each EVAL.json is the JSON line of `npm run context:eval` for one setting
 * (window / keep / strategy / …) on the same trace file. Runs are split into
 * folds by a hash of task_id (every trial of a task in the same fold). For each
 * fold the setting is chosen on the other folds — the highest mean, over
 * providers, of the long runs' input-cost saving with compaction + prompt
 * caching against "as sent", among the settings whose next-call retention is
 * ≥ 0.98 and fact retention ≥ 0.95 there — and scored on the held-out fold.
 * Prints one JSON line: per fold, the choice and its held-out figures.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface PerRun {
  task_id: string | number;
  cycles: number;
  by_model: Record<string, { as_sent: number; prompt_cache_only: number; compaction_and_cache: number }>;
  touchable_before: number;
  touchable_after: number;
  facts: [number, number];
  next_call: [number, number];
}
interface Setting {
  name: string;
  runs: PerRun[];
}

function score(runs: PerRun[]) {
  const sum = (f: (r: PerRun) => number) => runs.reduce((a, r) => a + f(r), 0);
  const models = Object.keys(runs[0]?.by_model ?? {});
  const saving = models.map(
    (m) =>
      1 -
      sum((r) => r.by_model[m].compaction_and_cache) /
        Math.max(
          1e-12,
          sum((r) => r.by_model[m].as_sent),
        ),
  );
  const worse = runs.filter((r) => models.some((m) => r.by_model[m].compaction_and_cache > r.by_model[m].prompt_cache_only + 1e-9)).length;
  return {
    runs: runs.length,
    saving_by_model: Object.fromEntries(models.map((m, i) => [m, round(saving[i])])),
    mean_saving: round(saving.reduce((a, b) => a + b, 0) / Math.max(1, saving.length)),
    touchable_reduction: round(
      1 -
        sum((r) => r.touchable_after) /
          Math.max(
            1,
            sum((r) => r.touchable_before),
          ),
    ),
    // Nothing checked (no compaction) loses nothing.
    next_call_retention: sum((r) => r.next_call[1]) ? round(sum((r) => r.next_call[0]) / sum((r) => r.next_call[1])) : 1,
    fact_retention: sum((r) => r.facts[1]) ? round(sum((r) => r.facts[0]) / sum((r) => r.facts[1])) : 1,
    runs_above_prompt_cache_only: worse,
  };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { folds: { type: 'string', default: '5' }, 'min-cycles': { type: 'string', default: '10' } } });
  const k = Number(values.folds);
  const minCycles = Number(values['min-cycles']);
  const settings: Setting[] = positionals.map((file) => {
    const out = JSON.parse(readFileSync(file, 'utf8')) as { strategy: string; window: number; keep: number; per_run: PerRun[] };
    return { name: `${out.strategy} w${out.window} k${out.keep} (${file.split('/').pop()})`, runs: out.per_run };
  });
  if (settings.length === 0) throw new Error('give one or more context:eval outputs');
  const fold = (id: string | number) => createHash('sha256').update(`cv:${id}`).digest()[0] % k;
  const long = (r: PerRun) => r.cycles >= minCycles;
  const folds = [];
  for (let f = 0; f < k; f++) {
    const train = settings.map((s) => ({ s, m: score(s.runs.filter((r) => fold(r.task_id) !== f && long(r))) }));
    const ok = train.filter((t) => t.m.next_call_retention >= 0.98 && t.m.fact_retention >= 0.95);
    const best = (ok.length ? ok : train).sort((a, b) => b.m.mean_saving - a.m.mean_saving || b.m.touchable_reduction - a.m.touchable_reduction)[0];
    const held = best.s.runs.filter((r) => fold(r.task_id) === f && long(r));
    folds.push({ fold: f, chosen: best.s.name, train: best.m, held_out: held.length ? score(held) : null });
  }
  const pooled = settings.map((s) => ({ setting: s.name, long_runs: score(s.runs.filter(long)) }));
  const chosenCounts: Record<string, number> = {};
  for (const f of folds) chosenCounts[f.chosen] = (chosenCounts[f.chosen] ?? 0) + 1;
  process.stdout.write(`${JSON.stringify({ folds: k, min_cycles: minCycles, chosen_counts: chosenCounts, per_fold: folds, settings: pooled })}\n`);
}

main();
