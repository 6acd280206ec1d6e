import { extractFeatures } from '../../shared/routing/features';
import { summarizeRequest } from '../../shared/routing/request-summary';
import type { ChatRequest } from '../../shared/messages/chat-model';
import { fitLogistic, type Example } from './logistic';

/** How MMLU rows become targets. RouteLLM trains on "weak fails where strong succeeds". */
export type MmluLabel = 'weak_wrong' | 'gain' | 'soft_gain';

export interface TrainConfig {
  bits: number;
  /** L2 on structural features (lengths, layout, cue families, phrases). */
  l2Struct: number;
  /** L2 on hashed word unigrams/bigrams, which tend to memorise domains. */
  l2Tokens: number;
  /** Extra factor on the per-format (mc/open) copies of each feature. */
  blockFactor: number;
  label: MmluLabel;
  /** Total weight of the task examples relative to the MMLU rows (1 = same total). */
  taskWeight: number;
  maxIter: number;
}

export const DEFAULT_CONFIG: TrainConfig = {
  bits: 18,
  l2Struct: 1e-3,
  l2Tokens: 1e-4,
  blockFactor: 1,
  label: 'soft_gain',
  taskWeight: 0.5,
  maxIter: 300,
};

export interface LabelledRequest {
  request: ChatRequest;
  y: number;
  /** Which pool the row comes from; weights are balanced per pool. */
  pool: 'mmlu' | 'tasks';
}

export function mmluTarget(label: MmluLabel, weak: boolean, strong: boolean): number {
  if (label === 'weak_wrong') return weak ? 0 : 1;
  if (label === 'gain') return !weak && strong ? 1 : 0;
  return (1 + (strong ? 1 : 0) - (weak ? 1 : 0)) / 2;
}

const isTokenFeature = (name: string) => /(^|\|)(u|b):/.test(name);

export function trainWeights(rows: LabelledRequest[], config: TrainConfig): Float32Array {
  const dim = 2 ** config.bits;
  const l2 = new Float64Array(dim).fill(config.l2Tokens);
  const structural = new Set<number>();
  const pools = { mmlu: rows.filter((r) => r.pool === 'mmlu').length, tasks: rows.filter((r) => r.pool === 'tasks').length };
  const data: Example[] = rows.map((r) => {
    const f = extractFeatures(summarizeRequest(r.request), config.bits, true);
    f.names!.forEach((name, k) => {
      const block = name.includes('|');
      const base = isTokenFeature(name) ? config.l2Tokens : config.l2Struct;
      const strength = block ? base * config.blockFactor : base;
      if (!isTokenFeature(name)) structural.add(f.idx[k]);
      // A bucket shared by a structural feature and tokens keeps the weaker penalty.
      l2[f.idx[k]] = structural.has(f.idx[k]) ? Math.min(l2[f.idx[k]], strength) : strength;
    });
    const weight = r.pool === 'mmlu' ? 1 : pools.tasks ? (config.taskWeight * pools.mmlu) / pools.tasks : 0;
    return { idx: f.idx, val: f.val, y: r.y, weight: pools.mmlu ? weight : 1 };
  });
  const theta = fitLogistic(data, { dim, l2, maxIter: config.maxIter });
  return Float32Array.from(theta);
}
