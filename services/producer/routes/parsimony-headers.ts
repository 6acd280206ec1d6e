import { cacheHeaders } from '../../../shared/levers/cache/cache-stage';
import type { JobRecord } from '../../../shared/core/jobs/job-record';

/** Response headers that tell a fast-path caller what Parsimony did. */
export function parsimonyHeaders(job: JobRecord): Record<string, string> {
  const headers: Record<string, string> = {};
  if (job.route) {
    headers['x-parsimony-model'] = job.route.model;
    headers['x-parsimony-tier'] = job.route.tier;
  }
  Object.assign(headers, cacheHeaders(job.annotations?.cache));
  if (job.cost) {
    headers['x-parsimony-cost-usd'] = String(job.cost.actual_usd);
    headers['x-parsimony-saved-usd'] = String(job.cost.saved_usd);
  }
  return headers;
}
