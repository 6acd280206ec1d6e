import { keyPart } from '../../platform/redis/key-part';

/**
 * Redis key layout of the cache, under `${prefix}:cache:`. Tenants, tags and job
 * ids are encoded by keyPart (never throws, even on a lone surrogate) so a
 * user string can never reach into another's keys.
 */
export class CacheKeys {
  readonly base: string;

  constructor(prefix: string) {
    this.base = `${prefix}:cache:`;
  }

  private t(tenant: string): string {
    return keyPart(tenant);
  }

  /** Entry record (JSON). */
  entry(tenant: string, id: string): string {
    return `${this.base}e:${this.t(tenant)}:${id}`;
  }
  /** Exact tier: request hash → entry id. */
  exact(tenant: string, hash: string): string {
    return `${this.base}x:${this.t(tenant)}:${hash}`;
  }
  /** Tenant's entries by created_at (purge by `before`). */
  created(tenant: string): string {
    return `${this.base}t:${this.t(tenant)}:created`;
  }
  scope(tenant: string, scope: string): string {
    return `${this.base}t:${this.t(tenant)}:scope:${keyPart(scope)}`;
  }
  tag(tenant: string, tag: string): string {
    return `${this.base}t:${this.t(tenant)}:tag:${keyPart(tag)}`;
  }
  /** All entries by expires_at; member `${tenant}\n${id}` (the sweep's work list). */
  expiry(): string {
    return `${this.base}expiry`;
  }
  /** Single-flight lock for one exact request. */
  flightLock(tenant: string, hash: string): string {
    return `${this.base}sf:${this.t(tenant)}:${hash}`;
  }
  /** Single-flight result, published by the leader for its waiters. */
  flightResult(tenant: string, hash: string): string {
    return `${this.base}sfr:${this.t(tenant)}:${hash}`;
  }
  /** Query vector the stage paid for, handed to the writer. */
  vector(jobId: string): string {
    return `${this.base}v:${keyPart(jobId)}`;
  }
}
