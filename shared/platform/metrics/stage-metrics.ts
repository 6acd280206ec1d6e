import type { StageObserver } from '../../pipeline/pipeline';
import { parsimonyMetrics } from './parsimony-metrics';

/** A pipeline StageObserver that records each stage's latency in parsimony_stage_duration_seconds. */
export function stageLatencyObserver(): StageObserver {
  const histogram = parsimonyMetrics().stageDuration;
  return (stage, durationMs, outcome) => histogram.observe({ stage, outcome }, durationMs / 1000);
}
