import type { Logger } from 'pino';
import type { BatchStore } from './batch-store';
import type { LineEnqueuer } from './line-queue';

const CHUNK = 1000;

export interface BatchFeederDeps {
  batches: BatchStore;
  enqueue: LineEnqueuer;
  /** Jobs waiting in the pipeline queue. */
  waiting: () => Promise<number>;
  /** Most batch lines kept waiting in the pipeline queue (PARSIMONY_BATCH_FEED_WINDOW). */
  window: number;
  /** Wait between checks while the queue is full, ms. Default 250. */
  pollMs?: number;
  log: Logger;
}

export type FeedResult = 'fed' | 'stopped' | 'paused';

/**
 * Moves a batch's stored lines into the pipeline queue as it drains, so a
 * 100,000-line batch neither floods the queue (nor Redis with 100,000 queue
 * entries) nor makes its creation wait for them. The position ("fed") is
 * kept on the batch and advanced by compare-and-set, so a feeder that dies
 * is resumed where it was (by the sweeper) and two feeders never skip lines;
 * a line queued twice is one BullMQ job.
 */
export class BatchFeeder {
  constructor(private readonly deps: BatchFeederDeps) {}

  /** Feeds until every line is queued, the batch stops running, or `stopping()` says so. */
  async run(batchId: string, stopping: () => boolean = () => false): Promise<FeedResult> {
    const { batches, window } = this.deps;
    for (;;) {
      if (stopping()) return 'paused';
      const batch = await batches.load(batchId);
      if (!batch || batch.status !== 'in_progress') return 'stopped';
      if (batch.fed >= batch.lines) return 'fed';
      const room = window - (await this.deps.waiting());
      if (room <= 0) {
        await new Promise((r) => setTimeout(r, this.deps.pollMs ?? 250));
        continue;
      }
      await this.feed(batchId, batch.meta.tenant, batch.fed, Math.min(room, CHUNK));
    }
  }

  /** Queues up to `count` lines from position `from`; returns how many. */
  async feed(batchId: string, tenant: string, from: number, count: number): Promise<number> {
    const lines = await this.deps.batches.lines(batchId, from, count);
    await this.deps.enqueue(lines.map((l) => ({ id: l.jobId, tenant })));
    if (!(await this.deps.batches.advanceFed(batchId, from, from + lines.length))) this.deps.log.debug({ batchId, from }, 'another feeder moved on; re-reading');
    return lines.length;
  }
}
