import { CostLedger } from '../../shared/core/accounting/cost-ledger';
import type { JobRecord } from '../../shared/core/jobs/job-record';
import { createLogger } from '../../shared/platform/logging/logger';
import type { ChatRequest } from '../../shared/core/chat-model';
import type { PipelineContext } from '../../shared/core/stage';

/** A real PipelineContext for one job, as the pipeline runner builds it. */
export function stageContext(request: ChatRequest, tenant = 'acme', metadata?: Record<string, unknown>): PipelineContext {
  const job: JobRecord = {
    id: `job-${Math.random().toString(36).slice(2)}`,
    tenant,
    status: 'running',
    created_at: new Date().toISOString(),
    options: { requested_model: request.model, latency: 'sync', ...(metadata ? { metadata } : {}) },
    request,
    attempts: 1,
  };
  return { job, request, ledger: new CostLedger(), annotations: {}, log: createLogger({ service: 'test', level: 'silent' }) };
}
