import { fork, type ChildProcess } from 'node:child_process';
import { extname, join } from 'node:path';
import type { Logger } from 'pino';
import type { VectorStore } from '../../shared/levers/cache/stores/vector-store';
import type { ProcessGroupRegistry } from '../../shared/platform/metrics/process-group-registry';
import { answer, PendingCalls } from './pending-calls';
import { isMessage, VECTOR_OPS, type ChildMetrics, type ChildReady, type ParentMessage, type Reply, type StoreCall } from './worker-messages';

/**
 * The all-in-one's extra pipeline workers (PARSIMONY_WORKERS − 1 child
 * processes, each a router-worker: pipeline-worker-child.ts), so a laptop's
 * cores run jobs in parallel.
 *
 * One cache for the group: the embedded vector index lives in this (the
 * main) process's memory; children send every index operation here over the
 * IPC channel (IpcVectorStore), where they run on the one index in the order
 * they arrive. So there is one writer and every worker's lookups see every
 * write at once; the exact tier, entries and quality are in Redis anyway.
 * With QDRANT_URL the children use Qdrant directly and nothing is forwarded.
 *
 * Lifecycle: a child that dies is restarted (backoff from 1 s to 30 s, reset
 * after a minute of life) and logged as an error; the jobs it had in flight
 * are not lost: their BullMQ locks lapse (PARSIMONY_JOB_LOCK_MS) and the
 * stalled-job check (every PARSIMONY_STALLED_INTERVAL_MS, in any live worker)
 * puts them back in the queue for another attempt (maxStalledCount 3). A
 * child that dies before it ever got ready fails the start (a broken config
 * must not loop). Children stop with the main process: close() sends SIGTERM
 * (in-flight jobs finish), and a child whose IPC channel closes (the main
 * process died) stops by itself.
 */
export interface WorkerChildrenOptions {
  /** How many children. */
  count: number;
  /** Their environment (the all-in-one's, with the provider settings it resolved). */
  env: Record<string, string | undefined>;
  /** The main process's embedded index, when the cache is on and not on Qdrant. */
  store?: VectorStore;
  /** Dimensions of that index (a child's embedder must match). */
  dims?: number;
  /** Where children's metrics are added, for /metrics. */
  metrics: ProcessGroupRegistry;
  /** How long a stopping child may take before it is killed (PARSIMONY_SHUTDOWN_GRACE_MS). */
  graceMs: number;
  log: Logger;
}

const START_TIMEOUT_MS = 120_000;
const FIRST_RESTART_MS = 1_000;
const MAX_RESTART_MS = 30_000;
/** A child that lived this long starts the backoff over when it dies. */
const HEALTHY_AFTER_MS = 60_000;

/** The child entry next to this file: .ts under tsx / ts-jest, .js in the build. */
const CHILD_ENTRY = join(__dirname, `pipeline-worker-child${extname(__filename)}`);

interface Slot {
  index: number;
  child?: ChildProcess;
  startedAt: number;
  restartMs: number;
  timer?: NodeJS.Timeout;
  calls: PendingCalls;
  removeMetrics?: () => void;
}

export class WorkerChildren {
  private closing = false;
  private readonly slots: Slot[];

  private constructor(private readonly o: WorkerChildrenOptions) {
    this.slots = Array.from({ length: o.count }, (_, index) => ({ index, startedAt: 0, restartMs: FIRST_RESTART_MS, calls: new PendingCalls() }));
  }

  /** Forks the children and resolves once every one is taking jobs; rejects (and stops the others) if one fails to start. */
  static async start(o: WorkerChildrenOptions): Promise<WorkerChildren> {
    const group = new WorkerChildren(o);
    try {
      await Promise.all(group.slots.map((slot) => group.spawn(slot)));
    } catch (err) {
      await group.close();
      throw err;
    }
    o.log.info({ children: o.count, pids: group.pids() }, 'pipeline worker children running');
    return group;
  }

  /** Process ids of the children alive now. */
  pids(): number[] {
    return this.slots.flatMap((slot) => (slot.child?.pid !== undefined && slot.child.exitCode === null && slot.child.signalCode === null ? [slot.child.pid] : []));
  }

  /** Stops restarting, sends SIGTERM to every child and waits for them (SIGKILL after graceMs). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        clearTimeout(slot.timer);
        const child = slot.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), this.o.graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  /** Forks the child of `slot`; resolves when it reports ready, rejects if it exits first. */
  private spawn(slot: Slot): Promise<void> {
    const log = this.o.log.child({ worker: slot.index + 2 });
    const child = fork(CHILD_ENTRY, [], { env: this.o.env, serialization: 'advanced', execArgv: childExecArgv(), stdio: 'inherit' });
    slot.child = child;
    slot.startedAt = Date.now();
    slot.calls = new PendingCalls();
    const calls = slot.calls;
    const send = (message: ParentMessage, done: (err: Error | null) => void = () => undefined) => {
      if (!child.connected) return done(new Error('the worker child is gone'));
      child.send(message, undefined, {}, done);
    };
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const startTimer = setTimeout(() => {
        reject(new Error(`pipeline worker child ${child.pid} did not get ready within ${START_TIMEOUT_MS} ms`));
        child.kill('SIGKILL');
      }, START_TIMEOUT_MS);
      child.on('message', (message: unknown) => {
        if (isMessage<StoreCall>(message, 'store')) void answer(message.id, () => this.runStoreCall(message), send);
        else if (isMessage<Reply>(message, 'reply')) calls.settle(message);
        else if (isMessage<ChildReady>(message, 'ready')) {
          if (this.o.dims !== undefined && message.dims !== undefined && message.dims !== this.o.dims) {
            clearTimeout(startTimer);
            reject(new Error(`pipeline worker child embeds in ${message.dims} dimensions, the index has ${this.o.dims}`));
            child.kill('SIGKILL');
            return;
          }
          ready = true;
          clearTimeout(startTimer);
          slot.removeMetrics = this.o.metrics.addSource(`worker-${slot.index + 2}`, async () => (await calls.call(send, (id): ParentMessage => ({ type: 'metrics', id }))) as ChildMetrics);
          resolve();
        }
      });
      child.on('error', (err) => log.error({ err: { message: err.message } }, 'pipeline worker child error'));
      child.once('exit', (code, signal) => {
        clearTimeout(startTimer);
        calls.rejectAll('the worker child exited');
        slot.removeMetrics?.();
        if (!ready) return reject(new Error(`pipeline worker child exited during start-up (code ${code}, signal ${signal})`));
        if (this.closing) return;
        this.restartLater(slot, log, { code, signal });
      });
    });
  }

  private restartLater(slot: Slot, log: Logger, how: { code: number | null; signal: NodeJS.Signals | null }): void {
    if (Date.now() - slot.startedAt >= HEALTHY_AFTER_MS) slot.restartMs = FIRST_RESTART_MS;
    const delayMs = slot.restartMs;
    slot.restartMs = Math.min(MAX_RESTART_MS, slot.restartMs * 2);
    log.error({ pid: slot.child?.pid, ...how, restartInMs: delayMs }, 'pipeline worker child died; restarting it (its in-flight jobs are re-delivered by BullMQ once their locks lapse)');
    slot.timer = setTimeout(() => {
      if (this.closing) return;
      this.spawn(slot).then(
        () => log.info({ pid: slot.child?.pid }, 'pipeline worker child restarted'),
        (err: Error) => {
          if (this.closing) return;
          log.error({ err: { message: err.message } }, 'pipeline worker child did not restart');
          this.restartLater(slot, log, { code: slot.child?.exitCode ?? null, signal: slot.child?.signalCode ?? null });
        },
      );
    }, delayMs);
  }

  private async runStoreCall(call: StoreCall): Promise<unknown> {
    const store = this.o.store;
    if (!store) throw new Error('the main process has no embedded index (cache off or on Qdrant)');
    if (!VECTOR_OPS.includes(call.op)) throw new Error(`unknown vector store operation ${String(call.op)}`);
    const run = store[call.op] as (...args: unknown[]) => Promise<unknown>;
    return run.apply(store, call.args);
  }
}

/**
 * Node flags for a child: the build runs plain; a TypeScript entry (npm start
 * under tsx, tests under ts-jest) needs the tsx loader, which the main process
 * already has in its flags under tsx but not under jest.
 */
function childExecArgv(): string[] {
  if (extname(__filename) !== '.ts') return process.execArgv;
  return process.execArgv.some((arg) => arg.includes('tsx')) ? process.execArgv : [...process.execArgv, '--import', 'tsx'];
}
