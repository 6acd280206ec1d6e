import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TIERS, type Tier } from '../../../core/catalog/catalog';
import type { JobRecord } from '../../../core/jobs/job-record';
import { tierRank } from '../tiers';

/** Default session window: an escalation within the last 30 minutes keeps the session at or above its tier. */
export const DEFAULT_SESSION_WINDOW_SECONDS = 1800;

/** The agent session a job belongs to (`metadata.session_id`, a string or number), if any. */
export function sessionIdOf(job: Pick<JobRecord, 'options'>): string | undefined {
  const id = job.options.metadata?.session_id;
  if (typeof id === 'string' && id.length > 0) return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return undefined;
}

/**
 * Session floor, a ratchet on escalations: once a guard rejected an answer in
 * an agent session (an invalid tool call or structured output, escalated to
 * a higher tier), the session's later steps start at the tier that answered,
 * for the window, instead of failing at the lower tier again and paying for
 * it twice. The tier a step was merely routed to does not count: a session
 * whose first turn happened to go to the frontier must not keep every later
 * tool-selection step there (that made agent chains all-frontier).
 *
 * One hash per tenant and session holds, per tier, when the session last
 * escalated to it (ms). The floor is the highest such tier within the
 * window; the key's TTL is the window, renewed on each escalation, so idle
 * sessions disappear by themselves. Session ids are hashed into the key (any
 * length or character is fine, and one tenant never reads another's session).
 */
export class SessionTierStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Window in seconds. Default 1800 (PARSIMONY_ROUTER_SESSION_WINDOW_SECONDS). */
    readonly windowSeconds: number = DEFAULT_SESSION_WINDOW_SECONDS,
  ) {}

  /** The highest tier the session escalated to within the window, or undefined. */
  async floor(tenant: string, session: string, now = Date.now()): Promise<Tier | undefined> {
    const used = await this.redis.hgetall(this.key(tenant, session));
    const since = now - this.windowSeconds * 1000;
    let floor: Tier | undefined;
    for (const tier of TIERS) {
      const at = Number(used[tier]);
      if (Number.isFinite(at) && at >= since && (!floor || tierRank(tier) > tierRank(floor))) floor = tier;
    }
    return floor;
  }

  /** Records that the session escalated to `tier` now (the tier that finally answered an escalated job). */
  async record(tenant: string, session: string, tier: Tier, now = Date.now()): Promise<void> {
    const key = this.key(tenant, session);
    await this.redis.multi().hset(key, tier, String(now)).expire(key, this.windowSeconds).exec();
  }

  private key(tenant: string, session: string): string {
    const digest = createHash('sha256').update(session).digest('base64url').slice(0, 22);
    return `${this.prefix}:routing:session:${tenant}:${digest}`;
  }
}
