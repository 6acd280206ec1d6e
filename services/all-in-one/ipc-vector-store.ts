import type { VectorMatch, VectorPoint, VectorQuery, VectorStore } from '../../shared/levers/cache/stores/vector-store';
import type { VectorOp } from './worker-messages';

/** Runs one store operation in the process that owns the index (parent-channel.ts). */
export type StoreCaller = (op: VectorOp, args: unknown[]) => Promise<unknown>;

/**
 * A pipeline worker child's view of the all-in-one's embedded vector index:
 * every operation runs in the main process, on its one in-memory index, so
 * every worker sees every write at once and there is one writer (the main
 * process applies the operations in the order they arrive). Opening and
 * persisting the index stay with the main process: init and close do nothing.
 */
export class IpcVectorStore implements VectorStore {
  readonly kind = 'embedded';

  constructor(private readonly call: StoreCaller) {}

  async init(): Promise<void> {}

  async upsert(points: VectorPoint[]): Promise<void> {
    await this.call('upsert', [points]);
  }

  async search(query: VectorQuery): Promise<VectorMatch[]> {
    return (await this.call('search', [query])) as VectorMatch[];
  }

  async delete(tenant: string, ids: string[]): Promise<void> {
    await this.call('delete', [tenant, ids]);
  }

  async deleteExpired(now: number): Promise<number> {
    return (await this.call('deleteExpired', [now])) as number;
  }

  async count(): Promise<number> {
    return (await this.call('count', [])) as number;
  }

  async close(): Promise<void> {}
}
