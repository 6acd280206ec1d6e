import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { stopChildren, trackChild } from '../children';
import { dedicatedRedis, freePort, type DedicatedRedis } from '../redis-server';
import { ROOT, startService, waitForHttp, type ServiceName, type ServiceProcess } from '../service-process';

/**
 * The chaos run's deployment: a dedicated Redis (AOF), the provider
 * simulator in its own process, and every Parsimony service as its own
 * built process (producer, router-worker ×2, cache-service,
 * batch-submitter), each with its own data dir (no Qdrant: the semantic
 * tier is per process, so only the exact tier, in Redis, is shared).
 */
export const TENANT_KEYS = { acme: 'k-chaos-acme-1', globex: 'k-chaos-globex-1' } as const;
export type Tenant = keyof typeof TENANT_KEYS;
export const WEBHOOK_SECRETS: Record<Tenant, string> = {
  acme: 'whsec_Y2hhb3MtYWNtZS13ZWJob29rLXNlY3JldC0xMjM0NQ==',
  globex: 'whsec_Y2hhb3MtZ2xvYmV4LXdlYmhvb2stc2VjcmV0LTY3ODk=',
};

export interface ClusterOptions {
  work: string;
  redisPort: number;
  simBatchSeconds: number;
}

interface Slot {
  name: string;
  service: ServiceName;
  env: Record<string, string>;
  process?: ServiceProcess;
  /** Killed on purpose and not restarted yet. */
  down?: boolean;
}

export class Cluster {
  readonly slots = new Map<string, Slot>();
  redis!: DedicatedRedis;
  simUrl = '';
  producerUrl = '';
  kills = 0;
  redisRestarts = 0;
  /** Set by stop(): no service is (re)started after it, e.g. by a kill whose restart was still pending. */
  private stopping = false;
  readonly events: string[] = [];

  constructor(private readonly options: ClusterOptions) {}

  private logFile(name: string): string {
    return join(this.options.work, `${name}.log`);
  }

  async start(): Promise<void> {
    const { work } = this.options;
    mkdirSync(join(work, 'redis'), { recursive: true });
    this.redis = await dedicatedRedis({ port: this.options.redisPort, dir: join(work, 'redis'), appendonly: true });
    const simPort = await freePort();
    trackChild(
      spawn(process.execPath, [join(ROOT, 'dist/infra/simulator/main.js'), '--port', String(simPort), '--batch-seconds', String(this.options.simBatchSeconds)], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn' },
        stdio: 'ignore',
      }),
    );
    this.simUrl = `http://127.0.0.1:${simPort}`;
    await waitForHttp(`${this.simUrl}/_sim/health`);

    const producerPort = await freePort();
    this.producerUrl = `http://127.0.0.1:${producerPort}`;
    const embeddings = join(work, 'embeddings');
    const shared = join(tmpdir(), 'parsimony-test-data', 'embeddings');
    if (existsSync(shared) && !existsSync(embeddings)) symlinkSync(shared, embeddings);
    else mkdirSync(embeddings, { recursive: true });

    const common: Record<string, string> = {
      REDIS_URL: this.redis.url,
      PARSIMONY_QUEUE_PREFIX: 'chaos',
      PARSIMONY_API_KEYS: `acme:${TENANT_KEYS.acme},globex:${TENANT_KEYS.globex}`,
      OPENAI_API_KEY: 'sk-chaos-provider-key',
      OPENAI_BASE_URL: `${this.simUrl}/v1`,
      ANTHROPIC_API_KEY: 'sk-ant-chaos-provider-key',
      ANTHROPIC_BASE_URL: this.simUrl,
      LOG_LEVEL: 'info',
      PARSIMONY_CACHE: 'on',
      PARSIMONY_JOB_LOCK_MS: '3000',
      PARSIMONY_STALLED_INTERVAL_MS: '1000',
      PARSIMONY_JOB_ATTEMPTS: '8',
      PARSIMONY_PROVIDER_TIMEOUT_MS: '15000',
      PARSIMONY_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      PARSIMONY_WEBHOOK_SECRETS: `acme:${WEBHOOK_SECRETS.acme},globex:${WEBHOOK_SECRETS.globex}`,
      PARSIMONY_WEBHOOK_BACKOFF_MS: '200',
      PARSIMONY_WEBHOOK_BACKOFF_MAX_MS: '2000',
      PARSIMONY_WEBHOOK_ATTEMPTS: '10',
      PARSIMONY_BATCH_SWEEP_MS: '500',
      PARSIMONY_BATCH_MAX_WAIT_SECONDS: '1',
      PARSIMONY_BATCH_FLUSH_INTERVAL_MS: '300',
      PARSIMONY_BATCH_POLL_SECONDS: '0.5',
      PARSIMONY_BATCH_POLL_MAX_SECONDS: '2',
      PARSIMONY_BATCH_LEASE_SECONDS: '5',
      PARSIMONY_BATCH_TURNAROUND_SECONDS: '5',
      PARSIMONY_BATCH_DEADLINE_MARGIN_SECONDS: '20',
    };
    const dataDir = (name: string) => {
      const dir = join(work, 'data', name);
      mkdirSync(dir, { recursive: true });
      if (!existsSync(join(dir, 'embeddings'))) symlinkSync(embeddings, join(dir, 'embeddings'));
      return dir;
    };
    const add = (name: string, service: ServiceName, extra: Record<string, string> = {}) => this.slots.set(name, { name, service, env: { ...common, PARSIMONY_DATA_DIR: dataDir(name), ...extra } });
    add('producer', 'producer', { PORT: String(producerPort) });
    add('router-worker-1', 'router-worker', { PARSIMONY_WORKER_CONCURRENCY: '16' });
    add('router-worker-2', 'router-worker', { PARSIMONY_WORKER_CONCURRENCY: '16' });
    add('cache-service', 'cache-service');
    add('batch-submitter', 'batch-submitter');
    for (const slot of this.slots.values()) this.launch(slot);
    await this.waitReady();
  }

  private launch(slot: Slot): void {
    if (this.stopping) return;
    slot.process = startService(slot.service, slot.name, slot.env, this.logFile(slot.name));
  }

  /** Waits until the producer says Redis is reachable and workers are running. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    await waitForHttp(`${this.producerUrl}/readyz`, timeoutMs);
  }

  /** SIGKILLs one service at once, and restarts it after `downMs`. */
  async kill(name: string, downMs: number): Promise<void> {
    const slot = this.slots.get(name)!;
    const proc = slot.process;
    slot.down = true;
    if (proc?.alive) {
      proc.child.kill('SIGKILL');
      await proc.exited;
      this.kills += 1;
      this.events.push(`${new Date().toISOString()} SIGKILL ${name} (down ${downMs} ms)`);
    }
    await new Promise((r) => setTimeout(r, downMs));
    this.launch(slot);
    slot.down = false;
  }

  /** Restarts Redis: a clean shutdown (AOF flushed), down for `downMs`, then started on the same port and data. */
  async restartRedis(downMs: number): Promise<void> {
    this.events.push(`${new Date().toISOString()} redis restart (down ${downMs} ms)`);
    await this.redis.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, downMs));
    await this.redis.start();
    this.redisRestarts += 1;
  }

  /** Services that died on their own (not killed by the run) are restarted and counted. */
  unexpectedExits(): string[] {
    const dead: string[] = [];
    for (const slot of this.slots.values()) {
      if (slot.process && !slot.down && !slot.process.alive) {
        dead.push(`${slot.name} exit ${slot.process.child.exitCode ?? slot.process.child.signalCode}`);
        this.launch(slot);
      }
    }
    return dead;
  }

  async sim<T = unknown>(path: string, init: RequestInit = {}): Promise<T> {
    const res = await fetch(`${this.simUrl}${path}`, {
      ...init,
      headers: { authorization: 'Bearer sk-chaos-provider-key', 'anthropic-version': '2023-06-01', 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator ${path}: ${res.status} ${text.slice(0, 200)}`);
    return (path.endsWith('/content') || path.endsWith('/results') ? text : JSON.parse(text)) as T;
  }

  /**
   * Stops every process the run ever started (services and their restarts,
   * the simulator, Redis last so services can shut down cleanly first): SIGTERM,
   * up to 8 s, then SIGKILL. Nothing is started after this begins.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await stopChildren(8_000, (child) => child.spawnfile !== 'redis-server');
    await this.redis?.remove();
    await stopChildren();
  }
}
