import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from './env';

/**
 * Tenants' API keys, parsed from PARSIMONY_API_KEYS ("tenant:key,…"). Only
 * SHA-256 digests are kept in memory, and lookups compare digests in
 * constant time, so neither a heap dump nor timing reveals a key.
 */
export class ApiKeyRing {
  private readonly entries: { digest: Buffer; tenant: string }[];

  constructor(spec: string) {
    this.entries = [];
    for (const pair of spec
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const colon = pair.indexOf(':');
      const tenant = pair.slice(0, colon);
      const key = pair.slice(colon + 1);
      if (colon <= 0 || !key) throw new ConfigError('invalid configuration: PARSIMONY_API_KEYS must be tenant:key pairs separated by commas');
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tenant)) throw new ConfigError(`invalid configuration: PARSIMONY_API_KEYS tenant "${tenant}" must be 1-64 letters, digits, _ or -`);
      this.entries.push({ digest: digest(key), tenant });
    }
    if (this.entries.length === 0) throw new ConfigError('invalid configuration: PARSIMONY_API_KEYS holds no tenant:key pair');
  }

  /** The tenant owning `key`, or undefined. Every entry is compared, so timing does not depend on which matched. */
  tenantFor(key: string): string | undefined {
    const candidate = digest(key);
    let found: string | undefined;
    for (const entry of this.entries) if (timingSafeEqual(entry.digest, candidate)) found = entry.tenant;
    return found;
  }

  get tenants(): string[] {
    return [...new Set(this.entries.map((e) => e.tenant))];
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
