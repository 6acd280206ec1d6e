import type { TransitionResult } from '../../core/jobs/job-store';
import { LEVERS } from '../../core/accounting/savings-ledger';
import { parsimonyMetrics } from './parsimony-metrics';

/**
 * Records a job outcome (JobOutcomes.complete / fail) in the process metrics
 * and passes the result through, so the hook is one `.then()`. Only a
 * transition that happened here counts (`ok`), so a job delivered twice is
 * counted once, like the savings aggregates.
 */
export function observeJobOutcome(result: TransitionResult): TransitionResult {
  if (!result.ok) return result;
  try {
    recordJob(result.job);
  } catch {
    // Metrics must never fail a job.
  }
  return result;
}

function recordJob(job: TransitionResult['job'] & object): void {
  const m = parsimonyMetrics();
  m.jobsFinished.inc({ status: job.status, delivered_by: job.delivered_by ?? 'none', tenant: job.tenant });
  if (job.status !== 'completed') return;
  const cache = job.annotations?.cache as { hit?: boolean; bypass?: boolean; status?: string; kind?: string } | undefined;
  if (cache) {
    const result = cache.status ?? (cache.bypass ? 'bypass' : cache.hit ? 'hit' : 'miss');
    m.cacheLookups.inc({ result, kind: cache.hit ? (cache.kind ?? 'unknown') : 'none' });
  }
  const model = job.route?.model ?? job.result?.model ?? 'unknown';
  if (job.usage) {
    m.tokens.inc({ model, direction: 'input' }, job.usage.input_tokens);
    m.tokens.inc({ model, direction: 'output' }, job.usage.output_tokens);
  }
  if (job.cost) {
    m.costUsd.inc({ model, kind: 'actual' }, Math.max(0, job.cost.actual_usd));
    m.costUsd.inc({ model, kind: 'baseline' }, Math.max(0, job.cost.baseline_usd));
    m.costUsd.inc({ model, kind: 'overhead' }, Math.max(0, job.cost.overhead_usd));
    // A counter only goes up; a lever that cost money (negative saving) shows in overhead/actual instead.
    for (const lever of LEVERS) if (job.cost.by_lever[lever] > 0) m.savedUsd.inc({ model, lever }, job.cost.by_lever[lever]);
  }
}
