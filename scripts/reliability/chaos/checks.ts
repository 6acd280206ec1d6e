import { Redis } from 'ioredis';
import { TENANT_KEYS, type Tenant } from './cluster';
import { TERMINAL, type Observations } from './observations';
import type { WebhookReceiver } from './webhook-receiver';
import type { WorkloadStats } from './workload';

/**
 * The chaos run's verdicts, computed at the end from the observations, the
 * job records in the dedicated Redis (white-box: also jobs whose client
 * never got an answer), the savings API and the webhook receipts.
 */
const LEVERS = ['routing', 'cache', 'context', 'compression', 'prompt_cache', 'batch'] as const;
const EPSILON = 1e-6;

/** The fields of GET /v1/savings compared here. */
interface SavingsReport {
  requests: number;
  baseline_usd: number;
  actual_usd: number;
  overhead_usd: number;
  by_lever?: Record<string, number>;
}

export interface Record_ {
  id: string;
  tenant: string;
  status: string;
  completed_at?: string;
  cost?: { baseline_usd: number; actual_usd: number; overhead_usd: number; by_lever: Record<string, number> };
  error?: { type?: string; message?: string };
}

/** Every job record under the run's prefix. */
export async function loadRecords(redisUrl: string, prefix: string): Promise<Record_[]> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  try {
    const records: Record_[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:job:*`, 'COUNT', 1000);
      cursor = next;
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.hget(key, 'record');
      for (const [, raw] of (await pipeline.exec()) ?? []) if (typeof raw === 'string') records.push(JSON.parse(raw) as Record_);
    } while (cursor !== '0');
    return records;
  } finally {
    redis.disconnect();
  }
}

/** Jobs whose cost breaks actual = baseline − Σ levers + overhead, plus savings aggregates that differ from the sum of completed jobs. */
export async function ledgerViolations(records: Record_[], producerUrl: string): Promise<{ violations: number; details: string[] }> {
  const details: string[] = [];
  for (const r of records) {
    if (r.status !== 'completed') continue;
    const c = r.cost;
    if (!c) {
      details.push(`${r.id}: completed without a cost`);
      continue;
    }
    const levers = LEVERS.reduce((sum, l) => sum + (c.by_lever[l] ?? 0), 0);
    if (Math.abs(c.actual_usd - (c.baseline_usd - levers + c.overhead_usd)) > 1e-9) details.push(`${r.id}: actual ${c.actual_usd} ≠ ${c.baseline_usd} − ${levers} + ${c.overhead_usd}`);
  }
  const days = records
    .filter((r) => r.completed_at)
    .map((r) => r.completed_at!.slice(0, 10))
    .sort();
  const from = days[0] ?? new Date().toISOString().slice(0, 10);
  const to = days[days.length - 1] ?? from;
  for (const tenant of Object.keys(TENANT_KEYS) as Tenant[]) {
    const mine = records.filter((r) => r.tenant === tenant && r.status === 'completed' && r.cost);
    const expected = {
      requests: mine.length,
      baseline_usd: sum(mine.map((r) => r.cost!.baseline_usd)),
      actual_usd: sum(mine.map((r) => r.cost!.actual_usd)),
      overhead_usd: sum(mine.map((r) => r.cost!.overhead_usd)),
      ...Object.fromEntries(LEVERS.map((l) => [`lever:${l}`, sum(mine.map((r) => r.cost!.by_lever[l] ?? 0))])),
    } as Record<string, number>;
    const res = await fetch(`${producerUrl}/v1/savings?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${TENANT_KEYS[tenant]}` } });
    const report = (await res.json()) as SavingsReport;
    const got: Record<string, number> = {
      requests: report.requests,
      baseline_usd: report.baseline_usd,
      actual_usd: report.actual_usd,
      overhead_usd: report.overhead_usd,
      ...Object.fromEntries(LEVERS.map((l) => [`lever:${l}`, report.by_lever?.[l]])),
    };
    for (const [field, want] of Object.entries(expected)) {
      if (typeof got[field] !== 'number' || Math.abs(got[field] - want) > EPSILON) details.push(`savings ${tenant} ${field}: report ${got[field]} ≠ Σ jobs ${want}`);
    }
  }
  return { violations: details.length, details };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** Acknowledged jobs that did not end (or vanished), and nightly lines that never came back. */
export function lostJobs(obs: Observations, stats: WorkloadStats): { lost: number; details: string[] } {
  const details: string[] = [];
  let lost = 0;
  for (const t of obs.jobs.values()) {
    if (t.last && TERMINAL.includes(t.last.status)) continue;
    lost += 1;
    details.push(`${t.kind} ${t.id}: ${t.last?.status ?? 'never observed'}`);
  }
  for (const b of stats.nightlyBatches) {
    const missing = b.lines - (b.linesSeen ?? 0);
    if (missing <= 0) continue;
    lost += missing;
    details.push(`nightly batch ${b.id} (${b.status ?? 'unfinished'}): ${missing} of ${b.lines} lines without an output or error line`);
  }
  return { lost, details };
}

/** Webhooks: one expected per final job with a callback and per finished nightly batch with one. */
export function webhookFigures(obs: Observations, stats: WorkloadStats, receiver: WebhookReceiver) {
  const expected = new Set<string>();
  for (const t of obs.jobs.values()) if (t.callback && t.last && TERMINAL.includes(t.last.status)) expected.add(t.id);
  for (const b of stats.nightlyBatches) if (b.callback && b.status && ['completed', 'failed', 'expired', 'cancelled'].includes(b.status)) expected.add(b.id);
  const verified = receiver.receipts.filter((r) => r.verified);
  const delivered = new Set(verified.filter((r) => r.answered === 200 && r.subject && expected.has(r.subject)).map((r) => r.subject!));
  const okById = new Map<string, number>();
  const idsBySubject = new Map<string, Set<string>>();
  for (const r of verified) {
    if (r.answered === 200) okById.set(r.webhookId, (okById.get(r.webhookId) ?? 0) + 1);
    if (r.subject) {
      const key = `${r.subject}|${r.type}`;
      if (!idsBySubject.has(key)) idsBySubject.set(key, new Set());
      idsBySubject.get(key)!.add(r.webhookId);
    }
  }
  return {
    webhooks_expected: expected.size,
    webhooks_delivered: delivered.size,
    webhook_duplicates: [...okById.values()].reduce((n, c) => n + Math.max(0, c - 1), 0),
    webhook_id_mismatches: [...idsBySubject.values()].filter((ids) => ids.size > 1).length,
    webhooks_unverified: receiver.receipts.length - verified.length,
    webhooks_missing: [...expected].filter((id) => !delivered.has(id)),
  };
}
