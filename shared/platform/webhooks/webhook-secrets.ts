import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Parses PARSIMONY_WEBHOOK_SECRETS ("tenant:whsec_…,…") into a map. */
export function parseWebhookSecrets(spec: string): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const pair of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const colon = pair.indexOf(':');
    secrets.set(pair.slice(0, colon), pair.slice(colon + 1));
  }
  return secrets;
}

/** A new Standard Webhooks secret: "whsec_" + base64 of 24 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * Per-tenant signing secrets. Configured secrets win; a tenant without one
 * gets a generated secret stored in Redis with SET NX, so every process signs
 * with the same one, and the process that created it logs it once (the
 * tenant needs it to verify signatures).
 */
export class WebhookSecrets {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly configured: Map<string, string>,
    private readonly log: Logger,
  ) {}

  async get(tenant: string): Promise<string> {
    const known = this.configured.get(tenant) ?? this.cache.get(tenant);
    if (known) return known;
    const key = `${this.prefix}:webhook-secret:${tenant}`;
    let secret = await this.redis.get(key);
    if (!secret) {
      const fresh = generateWebhookSecret();
      const created = await this.redis.set(key, fresh, 'NX');
      secret = created ? fresh : await this.redis.get(key);
      if (!secret) throw new Error(`webhook secret of tenant ${tenant} vanished`);
      if (created)
        this.log.warn(
          { tenant, webhook_signing_secret: fresh },
          `generated a webhook signing secret for tenant ${tenant}: ${fresh} — verify webhook signatures with it, or set PARSIMONY_WEBHOOK_SECRETS to choose your own`,
        );
    }
    this.cache.set(tenant, secret);
    return secret;
  }
}
