import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobOutcomes } from './job-outcomes';

/**
 * Synchronous jobs run inside the producer that received them (the fast
 * path, `latency: "sync"`): no queue holds them, so if that process dies
 * mid-call nobody would ever end their records — they would say "running"
 * until they expire. Each producer registers its in-process jobs in one
 * sorted set (member `instance|jobId`, written in the same step as the record)
 * and keeps a heartbeat key alive; every producer's reaper fails the running
 * jobs of instances whose heartbeat has expired. The caller of such a job got
 * a broken connection, so the record now says what happened instead of lying.
 *
 * Entries are not removed when a job finishes (that would cost the hot path a
 * write): the reaper drops entries whose job has ended as it passes.
 */
export interface SyncJobWatchOptions {
  /** How often the heartbeat is renewed and the reaper runs; default 5,000 ms. */
  heartbeatMs?: number;
  /** How long a heartbeat outlives its last renewal: a producer silent this long is dead; default 20,000 ms. */
  heartbeatTtlMs?: number;
  /** Entries younger than this are not inspected yet; default heartbeatTtlMs. */
  minAgeMs?: number;
  /** Entries inspected per pass (small, so a pass never holds the event loop long); default 250. */
  batch?: number;
}

export class SyncJobWatch {
  /** This process's instance id (random per start). */
  readonly instance = randomBytes(6).toString('hex');
  private readonly o: Required<SyncJobWatchOptions>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly outcomes: JobOutcomes,
    private readonly log: Logger,
    options: SyncJobWatchOptions = {},
  ) {
    const heartbeatTtlMs = options.heartbeatTtlMs ?? 20_000;
    this.o = { heartbeatMs: 5_000, heartbeatTtlMs, minAgeMs: heartbeatTtlMs, batch: 250, ...options };
  }

  /** The sorted set of in-process jobs. */
  get key(): string {
    return `${this.prefix}:sync-running`;
  }

  /** What JobStore.create writes along with the record of a job this process runs itself. */
  entry(jobId: string): { key: string; member: string; score: number } {
    return { key: this.key, member: `${this.instance}|${jobId}`, score: Date.now() };
  }

  /** Registers a stored job this process is about to run itself. */
  async add(jobId: string): Promise<void> {
    const { key, member, score } = this.entry(jobId);
    await this.redis.zadd(key, score, member);
  }

  start(): this {
    if (this.timer) return this;
    const tick = () => {
      this.running = this.beat()
        .then(() => this.reapAll())
        .catch((err: Error) => this.log.warn({ err: { message: err.message } }, 'sync job watch pass failed'));
    };
    // Alive from the start (quietly: Redis may still be connecting); the first reaper pass waits one interval.
    this.beat().catch(() => undefined);
    this.timer = setInterval(tick, this.o.heartbeatMs);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    // A clean stop: no heartbeat left to wait for (its jobs have been answered or their callers cut off).
    await this.redis.del(this.heartbeatKey(this.instance)).catch(() => undefined);
  }

  /** Reaper passes until the set holds no old entry to look at (at most 50 batches a tick: the next tick goes on). */
  private async reapAll(): Promise<void> {
    for (let i = 0; i < 50; i++) if ((await this.reap()).inspected < this.o.batch) return;
  }

  /** One reaper pass over up to `batch` old entries; returns the jobs it failed. Public for tests and operators. */
  async reap(now = Date.now()): Promise<{ failed: string[]; inspected: number }> {
    const members = await this.redis.zrangebyscore(this.key, '-inf', now - this.o.minAgeMs, 'LIMIT', 0, this.o.batch);
    if (members.length === 0) return { failed: [], inspected: 0 };
    const entries = members.map((member) => {
      const at = member.indexOf('|');
      return { member, instance: member.slice(0, at), jobId: member.slice(at + 1) };
    });
    const instances = [...new Set(entries.map((e) => e.instance))];
    const read = this.redis.pipeline();
    for (const e of entries) read.hget(`${this.prefix}:job:${e.jobId}`, 'status');
    for (const i of instances) read.exists(this.heartbeatKey(i));
    const results = ((await read.exec()) ?? []).map(([, value]) => value);
    const alive = new Map(instances.map((i, n) => [i, results[entries.length + n] === 1]));

    const done: string[] = [];
    const failed: string[] = [];
    for (const [n, e] of entries.entries()) {
      const status = results[n] as string | null;
      if (status !== 'running') done.push(e.member);
      else if (!alive.get(e.instance)) {
        const outcome = await this.outcomes.fail(e.jobId, ['running'], {
          type: 'service_unavailable',
          message: 'the Parsimony process running this synchronous request stopped before it finished; the caller’s connection was closed. Send the request again.',
        });
        if (outcome.ok) failed.push(e.jobId);
        done.push(e.member);
      }
    }
    if (done.length) await this.redis.zrem(this.key, ...done);
    if (failed.length) this.log.warn({ jobs: failed }, 'failed the synchronous jobs of a producer that died mid-call');
    return { failed, inspected: members.length };
  }

  private async beat(): Promise<void> {
    await this.redis.set(this.heartbeatKey(this.instance), String(Date.now()), 'PX', this.o.heartbeatTtlMs);
  }

  private heartbeatKey(instance: string): string {
    return `${this.prefix}:producer-alive:${instance}`;
  }
}
