import type { Redis } from 'ioredis';
import { RECENT_SHADOWS, ShadowKeys, type ShadowMeta, type ShadowResult } from './shadow-keys';

/**
 * Stores a comparison exactly once (HSETNX of `result` on the shadow's hash)
 * and, in the same step, adds it to the tenant's daily aggregates and takes
 * the shadow off the pending set. Replays (two comparers, a crash after the
 * write) change nothing.
 * KEYS: shadow hash, aggregate hash, pending zset. ARGV: result json, shadow id, aggregate ttl, then field/increment pairs.
 */
const RECORD = `
if redis.call('HSETNX', KEYS[1], 'result', ARGV[1]) == 0 then
  redis.call('ZREM', KEYS[3], ARGV[2])
  return 0
end
for i = 4, #ARGV, 2 do redis.call('HINCRBYFLOAT', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('ZREM', KEYS[3], ARGV[2])
return 1
`;

/** Aggregates live 400 days, like the savings aggregates. */
const AGGREGATE_TTL_SECONDS = 400 * 24 * 3600;

const MEASURES = ['shadowed', 'agreed', 'exact', 'json_equal', 'similarity_sum', 'failed', 'shadow_cost_usd'] as const;
type Measure = (typeof MEASURES)[number];

/** Agreement figures of one group (a task, a tier, or everything). */
export interface QualityStats {
  /** Shadows compared (finished on the frontier and compared with the routed answer). */
  shadowed: number;
  /** Share of compared shadows whose answers agree (exact, JSON-equal or similar enough); null when none. */
  agreement: number | null;
  /** Share with exactly the same answer. */
  exact: number | null;
  /** Share with structurally equal JSON / tool calls. */
  json_equal: number | null;
  /** Mean word-count cosine similarity. */
  mean_similarity: number | null;
  /** Shadows that failed or were cancelled (not compared). */
  failed: number;
  /** What the shadows cost (frontier, batch price): the routing lever's measurement overhead. */
  shadow_cost_usd: number;
}

export interface QualityReport {
  window: { days: number; from: string; to: string };
  by_task: Record<string, QualityStats>;
  by_tier: Record<string, QualityStats>;
  overall: QualityStats;
}

export class QualityStore {
  private readonly keys: ShadowKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new ShadowKeys(prefix);
    if (!('parsimonyRecordShadow' in redis)) redis.defineCommand('parsimonyRecordShadow', { numberOfKeys: 3, lua: RECORD });
  }

  /** Records a shadow's outcome once; false when it was already recorded. */
  async record(meta: ShadowMeta, result: ShadowResult): Promise<boolean> {
    const day = result.compared_at.slice(0, 10);
    const compared = result.status === 'compared';
    const values: Record<Measure, number> = {
      shadowed: compared ? 1 : 0,
      agreed: compared && result.agree ? 1 : 0,
      exact: compared && result.exact ? 1 : 0,
      json_equal: compared && result.json_equal ? 1 : 0,
      similarity_sum: compared ? result.similarity : 0,
      failed: compared ? 0 : 1,
      shadow_cost_usd: result.shadow_cost_usd,
    };
    const increments: string[] = [];
    for (const group of [`task:${meta.task}`, `tier:${meta.tier}`]) for (const measure of MEASURES) if (values[measure] !== 0) increments.push(`${group}|${measure}`, String(values[measure]));
    const done = await (this.redis as unknown as RecordRedis).parsimonyRecordShadow(
      this.keys.shadow(meta.shadow_job_id),
      this.keys.quality(meta.tenant, day),
      this.keys.pending,
      JSON.stringify(result),
      meta.shadow_job_id,
      AGGREGATE_TTL_SECONDS,
      ...increments,
    );
    return done === 1;
  }

  /** The tenant's agreement over the last `days` UTC days (today included). */
  async report(tenant: string, days: number, now = Date.now()): Promise<QualityReport> {
    const dayList = Array.from({ length: days }, (_, i) => new Date(now - i * 86_400_000).toISOString().slice(0, 10));
    const pipeline = this.redis.pipeline();
    for (const day of dayList) pipeline.hgetall(this.keys.quality(tenant, day));
    const hashes = ((await pipeline.exec()) ?? []).map(([err, value]) => {
      if (err) throw err;
      return value as Record<string, string>;
    });
    const sums = new Map<string, Record<Measure, number>>();
    for (const hash of hashes) {
      for (const [field, raw] of Object.entries(hash)) {
        const cut = field.lastIndexOf('|');
        const group = field.slice(0, cut);
        const measure = field.slice(cut + 1) as Measure;
        if (!MEASURES.includes(measure)) continue;
        const sum = sums.get(group) ?? emptySums();
        sum[measure] += Number(raw) || 0;
        sums.set(group, sum);
      }
    }
    const byTask: Record<string, QualityStats> = {};
    const byTier: Record<string, QualityStats> = {};
    const overall = emptySums();
    for (const [group, sum] of [...sums].sort(([a], [b]) => a.localeCompare(b))) {
      if (group.startsWith('task:')) {
        byTask[group.slice(5)] = toStats(sum);
        for (const m of MEASURES) overall[m] += sum[m];
      } else if (group.startsWith('tier:')) byTier[group.slice(5)] = toStats(sum);
    }
    return { window: { days, from: dayList[dayList.length - 1], to: dayList[0] }, by_task: byTask, by_tier: byTier, overall: toStats(overall) };
  }

  /** The tenant's latest shadows (newest first): what was compared with what, and how it came out. */
  async recent(tenant: string, limit = 20): Promise<(ShadowMeta & { status: string; result: ShadowResult | null })[]> {
    const ids = await this.redis.lrange(this.keys.recent(tenant), 0, Math.min(limit, RECENT_SHADOWS) - 1);
    if (!ids.length) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.keys.shadow(id), 'meta', 'result');
    const rows = (await pipeline.exec()) ?? [];
    const out: (ShadowMeta & { status: string; result: ShadowResult | null })[] = [];
    for (const [err, value] of rows) {
      const [meta, result] = (err ? [null, null] : value) as [string | null, string | null];
      if (!meta) continue; // expired
      const parsed = result ? (JSON.parse(result) as ShadowResult) : null;
      out.push({ ...(JSON.parse(meta) as ShadowMeta), status: parsed?.status ?? 'pending', result: parsed });
    }
    return out;
  }
}

function emptySums(): Record<Measure, number> {
  return { shadowed: 0, agreed: 0, exact: 0, json_equal: 0, similarity_sum: 0, failed: 0, shadow_cost_usd: 0 };
}

function toStats(sum: Record<Measure, number>): QualityStats {
  const n = sum.shadowed;
  const rate = (x: number) => (n > 0 ? round(x / n) : null);
  return {
    shadowed: n,
    agreement: rate(sum.agreed),
    exact: rate(sum.exact),
    json_equal: rate(sum.json_equal),
    mean_similarity: rate(sum.similarity_sum),
    failed: sum.failed,
    shadow_cost_usd: Math.round(sum.shadow_cost_usd * 1e8) / 1e8,
  };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

interface RecordRedis {
  parsimonyRecordShadow(...args: (string | number)[]): Promise<number>;
}
