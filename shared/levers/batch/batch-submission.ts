import type { Logger } from 'pino';
import type { Catalog, ModelEntry } from '../../core/catalog/catalog';
import { ProviderError } from '../../core/errors/provider-error';
import type { JobStore } from '../../core/jobs/job-store';
import { customIdOf, type BatchProvider } from './batch-provider';
import type { BatchEngineOptions } from './batch-engine';
import type { Intent, IntentStore } from './intent-store';
import type { Lease } from './lease';
import type { ChatRequest, ChatResponse } from '../../core/chat-model';
import { planWarmup, warmupCostUsd, withLongCacheTtl } from './batch-warmup';
import type { TierStats } from './tier-stats';

/** Requests read to find a group's shared prefix. */
const WARMUP_SAMPLE = 20;
/** Beyond this expected turnaround the providers' default (about 5-minute) cache lifetime may lapse before the lines run, seconds. */
const SHORT_TTL_SECONDS = 240;

/** Crash-test seams around the provider call. Production passes none. */
export interface SubmissionProbes {
  /** The intent is recorded (and its file uploaded); the batch is about to be created. */
  beforeCreate?(intent: Intent, lease: Lease): Promise<void>;
  /** The provider created the batch; it is not recorded yet (the window reconciliation exists for). */
  afterCreate?(intent: Intent, providerBatchId: string, lease: Lease): Promise<void>;
}

export interface SubmissionDeps {
  intents: IntentStore;
  store: JobStore;
  catalog: Catalog;
  options: BatchEngineOptions;
  probes?: SubmissionProbes;
  /** A synchronous call on the provider, for the prompt-cache warm-up; without it no group is warmed. */
  warmup?: (request: ChatRequest, model: ModelEntry) => Promise<ChatResponse>;
  /** Measured batch turnaround (decides Anthropic's 1-hour TTL); without it the configured turnaround. */
  tierStats?: TierStats;
  log: Logger;
}

export type SubmissionResult = 'submitted' | 'retry' | 'undecided' | 'rejected';

/**
 * Creates the provider batch of an intent, exactly once:
 * - the intent (jobs and custom_ids) is already in Redis;
 * - each attempt is counted before the provider is called, so any later
 *   attempt first looks for a batch an earlier one may have created
 *   (reconciliation: metadata for OpenAI, custom_id prefix or counts and time
 *   for Anthropic) and adopts it instead of sending a second one;
 * - the batch id is recorded once the provider answered.
 * The lines are built from the job records as they are sent, a chunk at a
 * time: memory does not grow with the batch.
 */
export class BatchSubmission {
  constructor(private readonly deps: SubmissionDeps) {}

  async submit(intent: Intent, provider: BatchProvider, lease: Lease): Promise<SubmissionResult> {
    const { intents, catalog, options, probes, log } = this.deps;
    const model = catalog.get(intent.model);
    try {
      if (intent.attempts > 0) {
        const found = await provider.find(intent, (id) => intents.isKnown(provider.name, id));
        if (found.kind === 'found') {
          await intents.confirm(intent, found.id, found.tentative, Date.now() + options.pollBaseMs);
          log.info({ intent: intent.id, providerBatchId: found.id, tentative: found.tentative }, 'reconciled: the provider batch of an earlier attempt exists; adopted');
          return 'submitted';
        }
        if (found.kind === 'undecided') {
          log.info({ intent: intent.id }, 'reconciliation undecided (a candidate batch cannot be read yet); asking again later');
          await intents.schedule(intent.id, Date.now() + options.pollBaseMs);
          return 'undecided';
        }
      }
      await intents.countAttempt(intent.id);
      const longTtl = await this.warm(intent, model);
      const lines = () => this.lines(intent, provider, model, longTtl);
      let staged = intent.staged;
      if (!staged && provider.stage) {
        staged = await provider.stage(intent, lines);
        await intents.recordStaged(intent.id, staged);
      }
      await probes?.beforeCreate?.(intent, lease);
      const ref = await provider.create(intent, staged, lines);
      await probes?.afterCreate?.(intent, ref.id, lease);
      await intents.confirm(intent, ref.id, false, Date.now() + options.pollBaseMs);
      log.info({ intent: intent.id, providerBatchId: ref.id, jobs: intent.size, bytes: intent.bytes }, 'provider batch created');
      return 'submitted';
    } catch (err) {
      if (err instanceof ProviderError && !err.retryable) {
        if (intent.staged && err.status === 404) {
          // The uploaded input file is gone (expired, deleted): upload again.
          await intents.recordStaged(intent.id, '');
          await intents.schedule(intent.id, Date.now());
          return 'retry';
        }
        log.error({ intent: intent.id, status: err.status, error: err.message }, 'provider rejected the batch; its jobs run synchronously');
        return 'rejected';
      }
      const delay = this.retryDelay(err, intent.attempts + 1);
      log.warn({ intent: intent.id, error: (err as Error).message, retryInMs: delay }, 'provider batch submission failed; jobs stay deferred, retrying');
      await intents.schedule(intent.id, Date.now() + delay);
      return 'retry';
    }
  }

  /**
   * The prompt-cache warm-up, once per intent (batch-warmup.ts): when the
   * group shares a long enough prefix, one synchronous request writes it to
   * the provider's cache before the batch is created. A failed warm-up only
   * costs the cache reads: the batch goes ahead. Returns whether lines ask
   * for the longer cache lifetime (batch-warmup.ts withLongCacheTtl).
   */
  private async warm(intent: Intent, model: ModelEntry): Promise<boolean> {
    const { intents, store, log, warmup } = this.deps;
    if (intent.warmup) return intent.warmupLongTtl;
    if (!warmup) return false;
    // (Without a warm-up the lines keep their own cache settings: nothing was written for them to read.)
    const longTtl = (await this.expectedTurnaroundSeconds(intent)) > SHORT_TTL_SECONDS;
    const first = await this.deps.intents.jobIds(intent.id, WARMUP_SAMPLE).next();
    const ids: string[] = first.done ? [] : first.value;
    const records = await Promise.all(ids.map((id) => store.load(id)));
    const sample = records.flatMap((r) => (r?.deferred ? [r.deferred.request] : []));
    const plan = planWarmup(sample, intent.size, model, longTtl);
    if (!plan.warm) {
      await intents.recordWarmup(intent.id, { state: 'skipped' });
      log.debug({ intent: intent.id, reason: plan.reason }, 'no prompt-cache warm-up');
      return false;
    }
    try {
      const response = await warmup(plan.request, model);
      const usd = warmupCostUsd(model, response);
      await intents.recordWarmup(intent.id, { state: 'done', usd, prefixTokens: plan.prefixTokens, longTtl });
      intent.warmupUsd = usd;
      log.info(
        { intent: intent.id, prefixTokens: plan.prefixTokens, sharing: `${plan.sharing}/${plan.sampled}`, usd, expectedSavingUsd: plan.expectedSavingUsd, ttl: longTtl ? '1h' : 'default' },
        'prompt cache warmed before the provider batch',
      );
    } catch (err) {
      await intents.recordWarmup(intent.id, { state: 'skipped' });
      log.warn({ intent: intent.id, err: { message: (err as Error).message } }, 'prompt-cache warm-up failed; the batch goes ahead without it');
      return false;
    }
    return longTtl;
  }

  private async expectedTurnaroundSeconds(intent: Intent): Promise<number> {
    const configured = this.deps.options.turnaroundMs / 1000;
    if (!this.deps.tierStats) return configured;
    try {
      const figures = await this.deps.tierStats.figures(intent.provider, intent.model);
      return figures.batch.source === 'measured' ? figures.batch.p95_s : configured;
    } catch {
      return configured;
    }
  }

  private async *lines(intent: Intent, provider: BatchProvider, model: ModelEntry, longTtl = false): AsyncGenerator<string> {
    for await (const ids of this.deps.intents.jobIds(intent.id)) {
      const records = await Promise.all(ids.map((id) => this.deps.store.load(id)));
      for (let i = 0; i < ids.length; i++) {
        const work = records[i]?.deferred;
        if (!work) {
          this.deps.log.warn({ intent: intent.id, jobId: ids[i] }, 'job record gone; left out of the provider batch');
          continue;
        }
        yield provider.encodeLine(customIdOf(intent.id, ids[i]), longTtl ? withLongCacheTtl(work.request, model.provider) : work.request, model);
      }
    }
  }

  /** Exponential backoff with jitter from 1 s, at least the provider's retry-after, at most pollMaxMs. */
  private retryDelay(err: unknown, attempt: number): number {
    const ceiling = Math.min(this.deps.options.pollMaxMs, 1_000 * 2 ** Math.min(20, Math.max(0, attempt - 1)));
    const asked = err instanceof ProviderError ? (err.retryAfterMs ?? 0) : 0;
    return Math.max(ceiling * (0.5 + Math.random() / 2), asked);
  }
}
