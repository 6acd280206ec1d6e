import type { Logger } from 'pino';
import type { JobOutcomes } from '../../core/jobs/job-outcomes';
import { setBatchStateCounts } from '../../platform/metrics/record-events';
import { FINAL_BATCH_STATUSES } from './batch-record';
import type { BatchStore } from './batch-store';
import type { BatchTasks } from './batch-tasks';
import { cancelLines } from './cancel-lines';

/** Open batches read per Redis call. */
const SWEEP_PAGE = 500;

export interface BatchSweeperDeps {
  batches: BatchStore;
  outcomes: JobOutcomes;
  tasks: BatchTasks;
  log: Logger;
}

/**
 * The safety net of open batches, run periodically by every notifications
 * worker (all steps are idempotent, so several may run at once):
 * - a batch still validating whose intake lease lapsed was abandoned by a
 *   dead producer: its jobs are cancelled and it fails;
 * - a batch whose window closed, or whose lines are all final (a lost
 *   event), or whose finalizer died, is (re-)finalized;
 * - a final batch still listed (a crash before it was retired) is retired.
 */
export class BatchSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly deps: BatchSweeperDeps) {}

  start(intervalMs: number): void {
    const tick = () => {
      this.running = this.sweep()
        .catch((err) => this.deps.log.warn({ err: { message: (err as Error).message } }, 'batch sweep failed'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, intervalMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async sweep(now = Date.now()): Promise<void> {
    const { batches, tasks } = this.deps;
    const counts: Record<string, number> = { validating: 0, in_progress: 0, cancelling: 0, finalizing: 0 };
    for (const id of await this.openIds()) {
      const batch = await batches.load(id);
      if (batch && batch.status in counts) counts[batch.status] += 1;
      if (!batch) {
        await batches.forget(id);
        continue;
      }
      if (FINAL_BATCH_STATUSES.includes(batch.status)) {
        await tasks.finalize(id);
        continue;
      }
      if (!batch.opened) {
        if (!(await batches.hasLease(id, 'intake'))) await this.failAbandoned(id);
        continue;
      }
      // A cancel whose task was lost (or died half-way): run it again.
      if (batch.status === 'cancelling' && !batch.linesCancelled) await tasks.cancel(id);
      // Lines not yet queued (a feeder that died or was stopped): feed on.
      if (batch.status === 'in_progress' && batch.fed < batch.lines) await tasks.feed(id);
      const settled = batch.completed + batch.failed >= batch.total;
      const windowClosed = now >= batch.meta.expires_at * 1000;
      if (batch.status === 'finalizing' ? !(await batches.hasLease(id, 'finalize')) : settled || windowClosed) await tasks.finalize(id);
    }
    setBatchStateCounts(counts);
  }

  /** Every open batch, read page by page (the set changes while we sweep; a batch missed now is seen next time). */
  private async openIds(): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; ; start += SWEEP_PAGE) {
      const page = await this.deps.batches.openBatches(start, SWEEP_PAGE);
      ids.push(...page);
      if (page.length < SWEEP_PAGE) return ids;
    }
  }

  private async failAbandoned(id: string): Promise<void> {
    const { batches, outcomes, tasks, log } = this.deps;
    log.warn({ batchId: id }, 'batch intake was interrupted; cancelling its jobs and failing it');
    await cancelLines(batches, outcomes, id, ['queued', 'deferred']);
    const failed = await batches.transition(id, ['validating', 'cancelling'], 'failed', {
      failed_at: Math.floor(Date.now() / 1000),
      errors: JSON.stringify([{ code: 'intake_interrupted', message: 'Parsimony stopped while validating the input file; submit the batch again', param: null, line: null }]),
    });
    if (failed.ok) await tasks.finalize(id);
  }
}
