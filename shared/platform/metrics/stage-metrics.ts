import type { StageCpuObserver, StageObserver } from '../../pipeline/pipeline';
import { parsimonyMetrics } from './parsimony-metrics';

/** A pipeline StageObserver that records each stage's latency in parsimony_stage_duration_seconds. */
export function stageLatencyObserver(): StageObserver {
  const histogram = parsimonyMetrics().stageDuration;
  return (stage, durationMs, outcome) => histogram.observe({ stage, outcome }, durationMs / 1000);
}

/** A pipeline StageCpuObserver that adds each stage's CPU time to parsimony_stage_cpu_seconds_total. */
export function stageCpuObserver(): StageCpuObserver {
  const counter = parsimonyMetrics().stageCpu;
  return (stage, cpuMicros) => counter.inc({ stage }, cpuMicros / 1e6);
}
