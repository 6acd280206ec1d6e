import type { Logger } from 'pino';
import { parseCustomId, type BatchProvider, type ProviderBatchState } from './batch-provider';
import type { Intent, IntentStore } from './intent-store';
import type { JobSettlement } from './job-settlement';
import type { Lease } from './lease';

/** Crash-test seams: called at the points where a real crash would hurt most. Production passes none. */
export interface CollectionProbes {
  /** Before applying result number `index` (0-based) of a provider batch. */
  beforeResult?(intent: Intent, index: number, lease: Lease): Promise<void>;
}

export interface CollectionDeps {
  intents: IntentStore;
  settlement: JobSettlement;
  /** Results applied at once. Default 32. */
  concurrency?: number;
  probes?: CollectionProbes;
  log: Logger;
}

export type CollectionOutcome = 'done' | 'unmatched' | 'lease_lost';

/**
 * Fans an ended provider batch out to its jobs: results are streamed (any
 * order, matched on custom_id) and applied a few at a time, then every job the
 * results did not mention is treated as a failed request. Replaying a
 * collection after a crash is harmless: each job settles through a
 * compare-and-set from 'deferred', so it ends once.
 */
export class BatchCollection {
  constructor(private readonly deps: CollectionDeps) {}

  async collect(intent: Intent, provider: BatchProvider, state: ProviderBatchState, lease: Lease): Promise<CollectionOutcome> {
    const { intents, settlement, log } = this.deps;
    if (intent.tentative) {
      // Matched on counts and time only: make sure it is ours before touching any job.
      const first = await provider.firstCustomId(state);
      if (!first || parseCustomId(first)?.intentId !== intent.id) {
        log.warn({ intent: intent.id, providerBatchId: state.id }, 'tentatively matched provider batch is not this intent’s; looking again');
        await intents.unconfirm(intent, Date.now());
        return 'unmatched';
      }
    }
    if (intent.state !== 'collecting') await intents.setState(intent.id, 'collecting');
    const limit = this.deps.concurrency ?? 32;
    const inFlight = new Set<Promise<unknown>>();
    let index = 0;
    let completed = 0;
    let failed = 0;
    for await (const result of provider.results(state)) {
      await this.deps.probes?.beforeResult?.(intent, index, lease);
      index += 1;
      if (!lease.held) return 'lease_lost';
      const parsed = parseCustomId(result.customId);
      if (!parsed || parsed.intentId !== intent.id) {
        log.warn({ intent: intent.id, customId: result.customId }, 'result for another intent in this provider batch; ignored');
        continue;
      }
      const work = (
        result.kind === 'succeeded'
          ? settlement.complete(parsed.jobId, intent, result.response).then((ok) => void (ok && completed++))
          : settlement.failed(parsed.jobId, intent, result.error, result.retryable).then(() => void failed++)
      ).finally(() => inFlight.delete(work));
      inFlight.add(work);
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (!lease.held) return 'lease_lost';
    const missing = await this.settleMissing(intent, state);
    log.info({ intent: intent.id, providerBatchId: state.id, outcome: state.outcome, results: index, completed, failed, missing }, 'provider batch collected');
    return 'done';
  }

  /** Jobs still owned by the intent after its results: a validation failure, an expiry without error lines. */
  private async settleMissing(intent: Intent, state: ProviderBatchState): Promise<number> {
    const { intents, settlement } = this.deps;
    const byLine = new Map<number, string>();
    for (const e of state.errors ?? []) if (e.line !== null) byLine.set(e.line, e.message);
    const batchError = state.errors?.find((e) => e.line === null)?.message;
    let line = 0;
    let missing = 0;
    for await (const ids of intents.jobIds(intent.id)) {
      // One round trip per chunk tells which jobs this intent still owns (the rest are settled).
      const owners = await intents.ownersOf(ids);
      for (const [i, jobId] of ids.entries()) {
        line += 1;
        if (owners[i] !== intent.id) continue;
        const lineError = byLine.get(line);
        const message = lineError ?? batchError ?? `no result for this request (provider batch ${state.outcome ?? state.status})`;
        // A line the provider rejected is the request's fault: retrying it would fail the same way.
        const outcome = await settlement.failed(jobId, intent, { type: 'provider_error', message: `${intent.provider} batch: ${message}` }, lineError === undefined);
        if (outcome !== 'skipped') missing += 1;
      }
    }
    return missing;
  }
}
