import { resolve } from 'node:path';
import { readJsonl, ReplayRowSchema, requestFromPrompt, requestFromTurns, TaskRowSchema, type ReplayRow, type TaskRow } from './datasets';
import { mmluTarget, type LabelledRequest, type TrainConfig } from './training';

/**
 * The training recipe, shared by route:train and the leave-one-domain-out
 * evaluation so both fit the same thing: MMLU replay rows (RouteLLM's soft
 * "weak fails where strong succeeds" target), the team's task examples
 * (small 0, mid 0.5, frontier 1) and the even MT-Bench rows, each turn with
 * its preceding turns (extraction 0.5, other categories 1).
 */
export const ROOT = resolve(__dirname, '../..');
/** The team's dev data directory (PARSIMONY_DEV_DATA, default /work/shared/data): passed by path, never copied in. */
const DEV_DATA = process.env.PARSIMONY_DEV_DATA ?? '/work/shared/data';
export const DEFAULT_MMLU = resolve(DEV_DATA, 'routing-mmlu-dev.jsonl');
export const DEFAULT_MTBENCH = resolve(DEV_DATA, 'tasks-mtbench.jsonl');
export const DEFAULT_EXAMPLES = resolve(ROOT, 'scripts/routing/examples/task-examples.jsonl');

const TIER_TARGET = { small: 0, mid: 0.5, frontier: 1 } as const;

export interface RecipeData {
  mmlu: ReplayRow[];
  mtbench: TaskRow[];
  examples: TaskRow[];
}

export function loadRecipe(paths: { mmlu?: string; mtbench?: string; examples?: string } = {}): RecipeData {
  return {
    mmlu: readJsonl(paths.mmlu ?? DEFAULT_MMLU, ReplayRowSchema),
    mtbench: readJsonl(paths.mtbench ?? DEFAULT_MTBENCH, TaskRowSchema),
    examples: readJsonl(paths.examples ?? DEFAULT_EXAMPLES, TaskRowSchema),
  };
}

export function mmluRows(rows: ReplayRow[], config: TrainConfig): LabelledRequest[] {
  const labelled = rows.map((r) => ({
    request: requestFromPrompt(r.prompt),
    y: mmluTarget(config.label, r.weak_correct, r.strong_correct),
    pool: 'mmlu' as const,
    group: r.domain ?? r.source ?? 'replay',
  }));
  return config.label === 'soft_gain_domain' ? centredPerDomain(labelled) : labelled;
}

/**
 * Per-domain-normalised targets: each row's target minus its domain's mean, plus the overall mean (clamped to
 * [0, 1]), so the model learns what makes a prompt harder than its neighbours rather than which domains are
 * hard (a domain's vocabulary, which does not carry to an unseen domain). Only a row's own domain is used, so
 * a held-out domain's targets never reach another fold.
 */
function centredPerDomain(rows: LabelledRequest[]): LabelledRequest[] {
  const sums = new Map<string, { y: number; n: number }>();
  for (const r of rows) {
    const s = sums.get(r.group!) ?? { y: 0, n: 0 };
    s.y += r.y;
    s.n++;
    sums.set(r.group!, s);
  }
  const overall = rows.reduce((a, r) => a + r.y, 0) / Math.max(1, rows.length);
  return rows.map((r) => {
    const s = sums.get(r.group!)!;
    return { ...r, y: Math.min(1, Math.max(0, r.y - s.y / s.n + overall)) };
  });
}

/** Task examples and MT-Bench turns (no MMLU domain in them, so every LODO fold trains on all of them). */
export function taskRows(data: Pick<RecipeData, 'mtbench' | 'examples'>, mtbenchRows: 'even' | 'all' = 'even'): LabelledRequest[] {
  const mt = mtbenchRows === 'all' ? data.mtbench : data.mtbench.filter((_, i) => i % 2 === 0);
  return [
    ...data.examples.map((r) => ({ request: requestFromPrompt(r.prompt!, r), y: TIER_TARGET[r.tier ?? 'frontier'], pool: 'tasks' as const, group: 'examples' })),
    ...mt.flatMap((r) => r.turns!.map((_, i) => ({ request: requestFromTurns(r.turns!, i), y: r.category === 'extraction' ? 0.5 : 1, pool: 'tasks' as const, group: 'mtbench' }))),
  ];
}
