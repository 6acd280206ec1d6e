import type { JobRecord } from '../../shared/core/jobs/job-record';
import { observeJobOutcome, parsimonyMetrics, recordBatchState, recordWebhookDelivery, setBatchStateCounts } from '../../shared/platform/metrics';
import { parsePrometheus, total } from './prom-text';

function job(overrides: Partial<JobRecord>): JobRecord {
  return {
    id: 'job_x',
    tenant: 'acme',
    status: 'completed',
    created_at: new Date().toISOString(),
    completed_at: new Date().toISOString(),
    options: { requested_model: 'auto', latency: 'sync' },
    request: { model: 'auto', messages: [] } as never,
    attempts: 1,
    route: { model: 'gpt-4.1-mini', provider: 'openai', tier: 'mid', reason: 'test' },
    usage: { input_tokens: 10, output_tokens: 5 } as never,
    cost: { baseline_usd: 1, actual_usd: 0.25, saved_usd: 0.75, overhead_usd: 0.01, by_lever: { routing: 0.5, cache: 0.26, context: 0, compression: 0, prompt_cache: 0, batch: 0 } },
    delivered_by: 'execute',
    ...overrides,
  };
}

async function samples() {
  return parsePrometheus(await parsimonyMetrics().registry.metrics());
}

test('cache hits, misses and bypasses come from annotations.cache of completed jobs', async () => {
  observeJobOutcome({ ok: true, job: job({ delivered_by: 'cache', annotations: { cache: { hit: true, status: 'hit', kind: 'semantic', similarity: 0.95 } } }) });
  observeJobOutcome({ ok: true, job: job({ annotations: { cache: { hit: false, status: 'miss' } } }) });
  observeJobOutcome({ ok: true, job: job({ annotations: { cache: { hit: false, bypass: true } } }) });
  // A transition that did not happen here (another worker finished first) is not counted again.
  observeJobOutcome({ ok: false, job: job({ annotations: { cache: { hit: true, status: 'hit', kind: 'exact' } } }) });
  const s = await samples();
  expect(total(s, 'parsimony_cache_lookups_total', { result: 'hit', kind: 'semantic' })).toBe(1);
  expect(total(s, 'parsimony_cache_lookups_total', { result: 'miss' })).toBe(1);
  expect(total(s, 'parsimony_cache_lookups_total', { result: 'bypass' })).toBe(1);
  expect(total(s, 'parsimony_cache_lookups_total', { kind: 'exact' })).toBe(0);
  expect(total(s, 'parsimony_jobs_finished_total', { delivered_by: 'cache', status: 'completed' })).toBe(1);
  expect(total(s, 'parsimony_saved_usd_total', { model: 'gpt-4.1-mini', lever: 'cache' })).toBeCloseTo(0.78, 10);
  expect(total(s, 'parsimony_cost_usd_total', { model: 'gpt-4.1-mini', kind: 'overhead' })).toBeCloseTo(0.03, 10);
});

test('failed jobs count by status, with no cost series', async () => {
  observeJobOutcome({ ok: true, job: job({ status: 'failed', tenant: 'globex', route: { model: 'gpt-4.1', provider: 'openai', tier: 'frontier', reason: 't' }, delivered_by: undefined }) });
  const s = await samples();
  expect(total(s, 'parsimony_jobs_finished_total', { status: 'failed', tenant: 'globex', delivered_by: 'none' })).toBe(1);
  expect(total(s, 'parsimony_cost_usd_total', { model: 'gpt-4.1' })).toBe(0);
});

test('webhook deliveries and batch states are counters other components increment', async () => {
  recordWebhookDelivery({ outcome: 'delivered', status: 204, durationMs: 12 });
  recordWebhookDelivery({ outcome: 'retrying', status: 503, durationMs: 40 });
  recordWebhookDelivery({ outcome: 'failed' });
  recordBatchState('validating');
  recordBatchState('completed');
  recordBatchState('in_progress', 'openai');
  setBatchStateCounts({ in_progress: 2, completed: 5 });
  const s = await samples();
  expect(total(s, 'parsimony_webhook_deliveries_total', { outcome: 'delivered', status: '2xx' })).toBe(1);
  expect(total(s, 'parsimony_webhook_deliveries_total', { outcome: 'retrying', status: '5xx' })).toBe(1);
  expect(total(s, 'parsimony_webhook_deliveries_total', { outcome: 'failed', status: 'no_response' })).toBe(1);
  expect(total(s, 'parsimony_webhook_delivery_duration_seconds_count')).toBe(2);
  expect(total(s, 'parsimony_batches_total', { kind: 'parsimony', state: 'completed' })).toBe(1);
  expect(total(s, 'parsimony_batches_total', { kind: 'openai', state: 'in_progress' })).toBe(1);
  expect(total(s, 'parsimony_batches', { kind: 'parsimony', state: 'completed' })).toBe(5);
});
