import type { Redis } from 'ioredis';
import { sortedPage, type Page, type PageQuery } from '../../surfaces/batch-api/sorted-page';

export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed';

export interface DeliveryAttempt {
  attempt: number;
  /** ISO time the attempt started. */
  at: string;
  /** HTTP status the receiver answered, null when no answer (timeout, refused, blocked). */
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** What an event delivery is about. */
export interface DeliverySubject {
  object: 'job' | 'batch';
  id: string;
}

/** A new event to deliver. */
export interface NewDelivery {
  id: string;
  /** The Standard Webhooks message id (`webhook-id`), the same on every attempt. */
  webhook_id: string;
  tenant: string;
  event_type: string;
  url: string;
  subject: DeliverySubject;
  /** The exact body sent on every attempt. */
  body: string;
}

export interface Delivery extends Omit<NewDelivery, 'body'> {
  status: DeliveryStatus;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
  next_retry_at: string | null;
  redeliveries: number;
  attempts: DeliveryAttempt[];
}

const CREATE_SCRIPT = `
-- KEYS[1] delivery hash, KEYS[2] tenant index; ARGV: tenant, meta, body, now iso, score, ttl, delivery id
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HGET', KEYS[1], 'status') end
redis.call('HSET', KEYS[1], 'tenant', ARGV[1], 'meta', ARGV[2], 'body', ARGV[3], 'status', 'pending', 'created_at', ARGV[4], 'updated_at', ARGV[4], 'redeliveries', 0)
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[7])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return ''
`;

/**
 * The delivery log: one record per event (its attempts with status codes and
 * times, the next retry), listed per tenant newest first. Records expire
 * after the retention period.
 */
export class DeliveryLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Seconds a delivery record is kept. */
    private readonly retentionSeconds: number,
  ) {
    if (!('parsimonyCreateDelivery' in redis)) redis.defineCommand('parsimonyCreateDelivery', { numberOfKeys: 2, lua: CREATE_SCRIPT });
  }

  /** Stores a new delivery; returns '' when created, else the existing delivery's status. */
  async create(delivery: NewDelivery): Promise<'' | DeliveryStatus> {
    const { body, tenant, ...meta } = delivery;
    const now = new Date();
    const create = (this.redis as unknown as { parsimonyCreateDelivery(...args: (string | number)[]): Promise<string> }).parsimonyCreateDelivery;
    return (await create.call(
      this.redis,
      this.key(delivery.id),
      this.indexKey(tenant),
      tenant,
      JSON.stringify({ ...meta, tenant }),
      body,
      now.toISOString(),
      now.getTime(),
      this.retentionSeconds,
      delivery.id,
    )) as '' | DeliveryStatus;
  }

  /** The delivery as its tenant sees it; undefined when missing or another tenant's. */
  async get(tenant: string, id: string): Promise<Delivery | undefined> {
    const delivery = await this.load(id);
    return delivery && delivery.tenant === tenant ? delivery : undefined;
  }

  async load(id: string): Promise<Delivery | undefined> {
    const [hash, attempts] = await Promise.all([this.redis.hgetall(this.key(id)), this.redis.lrange(this.attemptsKey(id), 0, -1)]);
    return hash.meta ? toDelivery(hash, attempts) : undefined;
  }

  async body(id: string): Promise<string | null> {
    return this.redis.hget(this.key(id), 'body');
  }

  async recordAttempt(id: string, attempt: DeliveryAttempt, status: DeliveryStatus, nextRetryAt: Date | null): Promise<void> {
    const now = new Date().toISOString();
    const fields: Record<string, string> = { status, updated_at: now, next_retry_at: nextRetryAt ? nextRetryAt.toISOString() : '' };
    if (status === 'succeeded') fields.delivered_at = now;
    await this.redis.multi().rpush(this.attemptsKey(id), JSON.stringify(attempt)).expire(this.attemptsKey(id), this.retentionSeconds).hset(this.key(id), fields).exec();
  }

  /** Marks a delivery for another round of attempts; returns the redelivery number. */
  async reopen(id: string): Promise<number> {
    const [[, count]] = (await this.redis
      .multi()
      .hincrby(this.key(id), 'redeliveries', 1)
      .hset(this.key(id), { status: 'pending', next_retry_at: '', updated_at: new Date().toISOString() })
      .exec()) as [[Error | null, number], unknown];
    return count;
  }

  list(tenant: string, query: PageQuery): Promise<Page<Delivery>> {
    return sortedPage(this.redis, this.indexKey(tenant), query, async (ids) => {
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.hgetall(this.key(id)).lrange(this.attemptsKey(id), 0, -1);
      const results = (await pipeline.exec()) ?? [];
      return ids.map((_, i) => {
        const hash = results[2 * i][1] as Record<string, string>;
        return hash.meta ? toDelivery(hash, results[2 * i + 1][1] as string[]) : undefined;
      });
    });
  }

  private key(id: string): string {
    return `${this.prefix}:whd:${id}`;
  }
  private attemptsKey(id: string): string {
    return `${this.prefix}:whd:${id}:attempts`;
  }
  private indexKey(tenant: string): string {
    return `${this.prefix}:whd-index:${tenant}`;
  }
}

function toDelivery(hash: Record<string, string>, attempts: string[]): Delivery {
  const meta = JSON.parse(hash.meta) as Omit<NewDelivery, 'body'>;
  return {
    ...meta,
    status: hash.status as DeliveryStatus,
    created_at: hash.created_at,
    updated_at: hash.updated_at,
    delivered_at: hash.delivered_at || null,
    next_retry_at: hash.next_retry_at || null,
    redeliveries: Number(hash.redeliveries ?? 0),
    attempts: attempts.map((a) => JSON.parse(a) as DeliveryAttempt),
  };
}

/** The public view of a delivery (GET /v1/webhook-deliveries). */
export function toPublicDelivery(d: Delivery) {
  return {
    id: d.id,
    object: 'webhook_delivery' as const,
    webhook_id: d.webhook_id,
    event_type: d.event_type,
    subject: d.subject,
    url: d.url,
    status: d.status,
    created_at: d.created_at,
    updated_at: d.updated_at,
    delivered_at: d.delivered_at,
    next_retry_at: d.next_retry_at,
    redeliveries: d.redeliveries,
    attempt_count: d.attempts.length,
    attempts: d.attempts,
  };
}
