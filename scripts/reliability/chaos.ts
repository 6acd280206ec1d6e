import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from './redis-server';
import { ensureBuilt } from './service-process';
import { stopChildren, stopChildrenOnExit } from './children';
import { Cluster, WEBHOOK_SECRETS, type Tenant } from './chaos/cluster';
import { ledgerViolations, loadRecords, lostJobs, webhookFigures } from './chaos/checks';
import { Observations } from './chaos/observations';
import { ProviderBatchAudit } from './chaos/provider-batches';
import { WebhookReceiver } from './chaos/webhook-receiver';
import type { SimulatorStats } from '../../infra/simulator/stats';
import { Workload } from './chaos/workload';

/**
 * npm run chaos [-- --kills 20 --submit-seconds 150 --drain-seconds 240 --redis-port 6390]
 *
 * Every service as its own built process against a dedicated Redis (AOF,
 * everysec) and the provider simulator (own process) with faults (429, 500,
 * slow answers, expiring and partly failing provider batches). A mixed
 * workload (sync, async, batch latency, nightly files through the openai SDK)
 * runs while random services are SIGKILLed and restarted and Redis is
 * restarted once. Then it drains and checks: no acknowledged job lost, no job
 * with two results, no custom_id in two provider batches, every cost obeying
 * the waterfall and the savings aggregates equal to the sum of the jobs,
 * webhooks delivered (duplicates only with the same webhook-id). Prints one
 * JSON line; exits 1 when a guarantee was broken. Semantic cache: no Qdrant
 * here, so each process has its own semantic index and only the exact tier
 * (in Redis) is shared.
 */
const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    'submit-seconds': { type: 'string', default: '150' },
    'drain-seconds': { type: 'string', default: '240' },
    'redis-port': { type: 'string', default: '6390' },
    'sim-batch-seconds': { type: 'string', default: '3' },
    clients: { type: 'string', default: '6' },
    keep: { type: 'boolean', default: false },
  },
});
const KILLS = Number(values.kills);
const SUBMIT_MS = Number(values['submit-seconds']) * 1000;
const DRAIN_MS = Number(values['drain-seconds']) * 1000;
const CLIENTS = Number(values.clients);
const log = (line: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];

/** Faults injected into the simulator during the run (each rule applies a few times, then lapses). */
const FAULTS = [
  { match: { path: '/v1/chat/completions' }, status: 429, retry_after_seconds: 1, times: 8 },
  { match: { path: '/v1/messages' }, status: 429, retry_after_seconds: 1, times: 5 },
  { match: { path: '/v1/chat/completions' }, status: 500, times: 6 },
  { match: { path: '/v1/messages' }, status: 529, times: 4 },
  { match: { path: '/v1/chat/completions' }, latency_ms: 4_000, times: 6 },
  { match: { path: '/v1/messages' }, latency_ms: 4_000, times: 4 },
  { batch: { expire: true, completed_share: 0.5 }, times: 1 },
  { batch: { error_share: 0.3 }, times: 1 },
];

async function main(): Promise<void> {
  const started = Date.now();
  ensureBuilt(log);
  const work = mkdtempSync(join(tmpdir(), 'parsimony-chaos-'));
  const requestedPort = Number(values['redis-port']);
  // The dedicated Redis; never the shared one on 6379.
  const redisPort = requestedPort !== 6379 && (await portFree(requestedPort)) ? requestedPort : await freePort();
  const receiver = new WebhookReceiver(WEBHOOK_SECRETS);
  await receiver.start();
  const cluster = new Cluster({ work, redisPort, simBatchSeconds: Number(values['sim-batch-seconds']) });
  await cluster.start();
  log(`cluster up: producer ${cluster.producerUrl}, simulator ${cluster.simUrl}, redis ${cluster.redis.url}; logs in ${work}`);

  const obs = new Observations();
  const workload = new Workload(cluster.producerUrl, obs, receiver);
  const audit = new ProviderBatchAudit(cluster);
  const unexpected: string[] = [];
  let submitting = true;
  let watching = true;

  // Clients: a mixed workload until the submit phase ends.
  const clients = Array.from({ length: CLIENTS }, async () => {
    while (submitting) {
      const tenant: Tenant = Math.random() < 0.7 ? 'acme' : 'globex';
      const roll = Math.random();
      if (roll < 0.4) await workload.sync(tenant);
      else if (roll < 0.8) await workload.queued(tenant, 'async');
      else await workload.queued(tenant, 'batch');
      await sleep(100 + Math.random() * 300);
    }
  });
  const nightly = (async () => {
    for (const at of [0.05, 0.35, 0.65]) {
      await sleep(Math.max(0, started + SUBMIT_MS * at - Date.now()));
      void workload.nightly(pick(['acme', 'globex'] as const), 30);
    }
  })();

  // Chaos: KILLS SIGKILLs at random moments of the submit phase, Redis restarted once, faults now and then.
  const killTimes = Array.from({ length: KILLS }, () => 5_000 + Math.random() * (SUBMIT_MS - 10_000)).sort((a, b) => a - b);
  const phaseStart = Date.now();
  const chaos = (async () => {
    let redisDone = false;
    for (const at of killTimes) {
      await sleep(Math.max(0, phaseStart + at - Date.now()));
      if (!redisDone && at > SUBMIT_MS * 0.45) {
        redisDone = true;
        log('restarting redis');
        await cluster.restartRedis(1_500 + Math.random() * 1_500);
      }
      const name = pick([...cluster.slots.keys()]);
      log(`SIGKILL ${name} (${cluster.kills + 1}/${KILLS})`);
      void cluster.kill(name, 300 + Math.random() * 2_000);
    }
    if (!redisDone) await cluster.restartRedis(2_000);
  })();
  const faults = (async () => {
    while (submitting) {
      await fetch(`${cluster.simUrl}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [pick(FAULTS)] }) }).catch(() => undefined);
      await sleep(4_000 + Math.random() * 6_000);
    }
  })();
  const watcher = (async () => {
    while (watching) {
      await Promise.all([workload.pollOnce(), workload.pollNightly(), audit.watchOnce().catch(() => undefined)]);
      unexpected.push(...cluster.unexpectedExits());
      await sleep(1_000);
    }
  })();

  await sleep(SUBMIT_MS);
  submitting = false;
  await Promise.all([...clients, chaos, faults, nightly]);
  await fetch(`${cluster.simUrl}/_sim/faults`, { method: 'DELETE' }).catch(() => undefined);
  log(`submit phase over: ${obs.jobs.size} jobs acknowledged, ${cluster.kills} kills, ${cluster.redisRestarts} redis restarts; draining`);

  // Drain: every acknowledged job final, every nightly batch finished, every expected webhook delivered.
  const drainUntil = Date.now() + DRAIN_MS;
  for (;;) {
    await sleep(2_000);
    const open = await workload.pollOnce();
    const openBatches = await workload.pollNightly();
    const hooks = webhookFigures(obs, workload.stats, receiver);
    const pending = open + openBatches + hooks.webhooks_missing.length;
    if (pending === 0 || Date.now() > drainUntil) break;
    log(`draining: ${open} jobs, ${openBatches} nightly batches, ${hooks.webhooks_missing.length} webhooks pending`);
  }
  watching = false;
  await watcher;
  // Everything observed once more, twice, so a result that changes late shows.
  await workload.pollOnce(true);
  await sleep(1_500);
  await workload.pollOnce(true);

  const records = await loadRecords(cluster.redis.url, 'chaos');
  const ledger = await ledgerViolations(records, cluster.producerUrl);
  const lost = lostJobs(obs, workload.stats);
  const doubles = obs.doubleResults();
  const hooks = webhookFigures(obs, workload.stats, receiver);
  const batches = await audit.audit();
  const simStats = await cluster.sim<SimulatorStats>('/_sim/stats');
  const tracked = [...obs.jobs.values()];
  const completedRecords = records.filter((r) => r.status === 'completed').length;
  const failedTracked = tracked.filter((t) => t.last?.status === 'failed');
  const providerCalls = (simStats.requests['/v1/chat/completions'] ?? 0) + (simStats.requests['/v1/messages'] ?? 0) + simStats.batch_requests;
  const acknowledgedLines = workload.stats.nightlyBatches.reduce((n, b) => n + b.lines, 0);
  const nightlyTracked = tracked.filter((t) => t.kind === 'nightly').length;

  const result = {
    submitted: tracked.length - nightlyTracked + acknowledgedLines,
    completed: tracked.filter((t) => t.last?.status === 'completed').length,
    failed: failedTracked.length,
    lost: lost.lost,
    double_results: doubles.length,
    provider_calls_per_success: Math.round((providerCalls / Math.max(1, completedRecords)) * 1000) / 1000,
    duplicate_provider_batches: batches.duplicate_provider_batches,
    webhooks_expected: hooks.webhooks_expected,
    webhooks_delivered: hooks.webhooks_delivered,
    webhook_duplicates: hooks.webhook_duplicates,
    ledger_violations: ledger.violations,
    kills: cluster.kills,
    redis_restarts: cluster.redisRestarts,
    failed_without_reason: failedTracked.filter((t) => !t.last?.error?.type || !t.last?.error?.message).length,
    failure_reasons: countBy(failedTracked.map((t) => `${t.last?.error?.type}: ${String(t.last?.error?.message).slice(0, 60)}`)),
    webhook_id_mismatches: hooks.webhook_id_mismatches,
    webhooks_unverified: hooks.webhooks_unverified,
    by_kind: countBy(tracked.map((t) => t.kind)),
    unacknowledged: workload.stats.unacknowledged,
    nightly_batches: workload.stats.nightlyBatches.map((b) => b.status ?? 'unfinished'),
    orphaned_records: records.filter((r) => !obs.jobs.has(r.id) && !['completed', 'failed', 'cancelled'].includes(r.status)).length,
    provider_batches: batches.provider_batches,
    jobs_rebatched: batches.jobs_in_two_running_batches,
    unreadable_provider_batches: batches.unreadable_batches,
    faults_injected: simStats.faults_injected,
    unexpected_exits: unexpected.length,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  const details = {
    lost: lost.details,
    doubles: doubles.map((d) => ({ id: d.id, kind: d.kind, cores: [...d.cores], fulls: [...d.fulls], regressed: d.regressed })),
    ledger: ledger.details,
    webhooks_missing: hooks.webhooks_missing,
    unexpected,
    events: cluster.events,
  };
  writeFileSync(join(work, 'details.json'), JSON.stringify(details, null, 2));
  for (const [name, list] of Object.entries(details))
    if (Array.isArray(list) && list.length && name !== 'events') log(`${name}: ${JSON.stringify(list.slice(0, 5))}${list.length > 5 ? ` … (${list.length})` : ''}`);

  await receiver.close();
  await cluster.stop();
  const broken =
    result.lost ||
    result.double_results ||
    result.duplicate_provider_batches ||
    result.ledger_violations ||
    result.failed_without_reason ||
    result.webhook_id_mismatches ||
    result.webhooks_unverified ||
    result.webhooks_delivered < result.webhooks_expected;
  if (broken || values.keep) log(`logs and details kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
  process.exit(broken ? 1 : 0);
}

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

async function portFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

stopChildrenOnExit(log);
main().catch(async (err: unknown) => {
  process.stderr.write(`[chaos] failed: ${(err as Error).stack ?? String(err)}\n`);
  // The cluster may be half started or mid-run: stop everything any part of it started.
  await stopChildren();
  process.exit(2);
});
