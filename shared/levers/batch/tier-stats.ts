import type { Redis } from 'ioredis';
import type { TierConfig } from './tier-config';

/** Figures of one tier for one provider + model, as the tier choice uses them. */
export interface TierFigures {
  /** Measurements in the rolling window. */
  samples: number;
  /** 'measured' once `minSamples` are in, else the configured prior. */
  source: 'measured' | 'default';
  p50_s: number;
  p95_s: number;
}

export interface FlexFigures extends TierFigures {
  /** Share of flex calls refused (429) or timed out. */
  refusal_rate: number;
}

export interface ModelTierFigures {
  batch: TierFigures;
  flex: FlexFigures;
}

/** A flex outcome: answered after `ms`, or refused (429 / timeout). */
export type FlexSample = { ok: true; ms: number } | { ok: false };

const REFUSED = 'r';
/** Figures read from Redis are reused this long in-process (one read per model, not per job). */
const MEMO_MS = 2_000;

/**
 * Measured batch turnaround and flex latency / refusals per provider + model:
 * Redis lists trimmed to a rolling window (LPUSH + LTRIM, one round trip),
 * read by every pipeline process. Shared by the producer (fast path), the
 * router-worker and the batch-submitter (which measures batch turnaround).
 */
export class TierStats {
  private readonly memo = new Map<string, { at: number; figures: ModelTierFigures }>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly config: Pick<TierConfig, 'window' | 'minSamples' | 'batchP95PriorSeconds' | 'flexP95PriorSeconds' | 'flexRefusalPrior'>,
  ) {}

  private key(kind: 'batch' | 'flex', provider: string, model: string): string {
    return `${this.prefix}:tiers:${kind}:${provider}|${model}`;
  }

  private get modelsKey(): string {
    return `${this.prefix}:tiers:models`;
  }

  async recordBatch(provider: string, model: string, turnaroundMs: number): Promise<void> {
    await this.push('batch', provider, model, String(Math.max(0, Math.round(turnaroundMs))));
  }

  async recordFlex(provider: string, model: string, sample: FlexSample): Promise<void> {
    await this.push('flex', provider, model, sample.ok ? String(Math.max(0, Math.round(sample.ms))) : REFUSED);
  }

  private async push(kind: 'batch' | 'flex', provider: string, model: string, value: string): Promise<void> {
    const key = this.key(kind, provider, model);
    await this.redis
      .multi()
      .lpush(key, value)
      .ltrim(key, 0, this.config.window - 1)
      .sadd(this.modelsKey, `${provider}|${model}`)
      .exec();
    this.memo.delete(`${provider}|${model}`);
  }

  /** Provider|model pairs with any measurement. */
  async measured(): Promise<{ provider: string; model: string }[]> {
    const members = await this.redis.smembers(this.modelsKey);
    return members.sort().map((m) => ({ provider: m.slice(0, m.indexOf('|')), model: m.slice(m.indexOf('|') + 1) }));
  }

  async figures(provider: string, model: string, now = Date.now()): Promise<ModelTierFigures> {
    const id = `${provider}|${model}`;
    const memo = this.memo.get(id);
    if (memo && now - memo.at < MEMO_MS) return memo.figures;
    const [batchRaw, flexRaw] = (await this.redis
      .multi()
      .lrange(this.key('batch', provider, model), 0, -1)
      .lrange(this.key('flex', provider, model), 0, -1)
      .exec())!.map(([err, v]) => {
      if (err) throw err;
      return v as string[];
    });
    const figures = { batch: this.batchFigures(batchRaw), flex: this.flexFigures(flexRaw) };
    if (this.memo.size > 1000) this.memo.clear();
    this.memo.set(id, { at: now, figures });
    return figures;
  }

  private batchFigures(raw: string[]): TierFigures {
    const ms = raw.map(Number).filter(Number.isFinite);
    if (ms.length < this.config.minSamples) {
      const p95 = this.config.batchP95PriorSeconds;
      return { samples: ms.length, source: 'default', p50_s: round(p95 / 2), p95_s: p95 };
    }
    return { samples: ms.length, source: 'measured', p50_s: round(quantile(ms, 0.5) / 1000), p95_s: round(quantile(ms, 0.95) / 1000) };
  }

  private flexFigures(raw: string[]): FlexFigures {
    const ms = raw
      .filter((v) => v !== REFUSED)
      .map(Number)
      .filter(Number.isFinite);
    if (raw.length < this.config.minSamples) {
      const p95 = this.config.flexP95PriorSeconds;
      return { samples: raw.length, source: 'default', p50_s: round(p95 / 2), p95_s: p95, refusal_rate: this.config.flexRefusalPrior };
    }
    const refusal = round((raw.length - ms.length) / raw.length);
    // Every call refused: no latency measured; keep the prior (the refusal rate rules flex out anyway).
    if (!ms.length) return { samples: raw.length, source: 'measured', p50_s: this.config.flexP95PriorSeconds / 2, p95_s: this.config.flexP95PriorSeconds, refusal_rate: refusal };
    return { samples: raw.length, source: 'measured', p50_s: round(quantile(ms, 0.5) / 1000), p95_s: round(quantile(ms, 0.95) / 1000), refusal_rate: refusal };
  }
}

/** Nearest-rank quantile. */
export function quantile(values: readonly number[], q: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
