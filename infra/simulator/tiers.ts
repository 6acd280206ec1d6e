import { z } from 'zod';
import type { Provider } from './errors';
import { Rng } from './prng';

/**
 * Processing tiers as the providers sell them: OpenAI's flex tier
 * (`service_tier: "flex"`: a normal synchronous call, slower, answered 429
 * "Resource Unavailable" when flex capacity is short) and provider batches
 * whose turnaround varies from batch to batch.
 *
 * Set with `POST /_sim/tiers` (or `sim.tiers.set(...)`):
 *   flex.capacity      flex requests in flight at once; one more is refused (default unlimited)
 *   flex.refuse_share  share of flex requests refused even with capacity left (default 0)
 *   flex.latency_ms    extra time a flex answer takes (default 0)
 *   batch.<provider>   { p50_seconds, p95_seconds }: each batch's duration is drawn from a
 *                      log-normal with that median and 95th percentile (default: the fixed batchSeconds)
 */

const TurnaroundSchema = z
  .object({ p50_seconds: z.number().positive(), p95_seconds: z.number().positive() })
  .strict()
  .refine((t) => t.p95_seconds >= t.p50_seconds, 'p95_seconds must be at least p50_seconds');

export const TierSettingsBodySchema = z
  .object({
    flex: z
      .object({ capacity: z.number().int().min(0).nullable().optional(), refuse_share: z.number().min(0).max(1).optional(), latency_ms: z.number().min(0).optional() })
      .strict()
      .optional(),
    batch: z.object({ openai: TurnaroundSchema.nullable().optional(), anthropic: TurnaroundSchema.nullable().optional() }).strict().optional(),
    /** Seed of the refusal and turnaround draws (reproducible runs). */
    seed: z.number().int().optional(),
  })
  .strict();
export type TierSettingsBody = z.infer<typeof TierSettingsBodySchema>;
type Turnaround = z.infer<typeof TurnaroundSchema>;

/** z for the 95th percentile of a standard normal. */
const Z95 = 1.6449;

export class TierSettings {
  /** null = unlimited. */
  flexCapacity: number | null = null;
  flexRefuseShare = 0;
  flexLatencyMs = 0;
  private flexInFlight = 0;
  private readonly batch: Partial<Record<Provider, Turnaround>> = {};
  private rng = new Rng(16);

  set(body: TierSettingsBody): void {
    if (body.seed !== undefined) this.rng = new Rng(body.seed);
    if (body.flex?.capacity !== undefined) this.flexCapacity = body.flex.capacity;
    if (body.flex?.refuse_share !== undefined) this.flexRefuseShare = body.flex.refuse_share;
    if (body.flex?.latency_ms !== undefined) this.flexLatencyMs = body.flex.latency_ms;
    for (const provider of ['openai', 'anthropic'] as const) {
      const t = body.batch?.[provider];
      if (t === null) delete this.batch[provider];
      else if (t) this.batch[provider] = t;
    }
  }

  clear(): void {
    this.flexCapacity = null;
    this.flexRefuseShare = 0;
    this.flexLatencyMs = 0;
    for (const p of Object.keys(this.batch) as Provider[]) delete this.batch[p];
  }

  /** Takes a flex slot, or false when the request is refused (over capacity, or a refusal draw). */
  admitFlex(): boolean {
    if (this.flexCapacity !== null && this.flexInFlight >= this.flexCapacity) return false;
    if (this.flexRefuseShare > 0 && this.rng.next() < this.flexRefuseShare) return false;
    this.flexInFlight += 1;
    return true;
  }

  releaseFlex(): void {
    this.flexInFlight = Math.max(0, this.flexInFlight - 1);
  }

  /** How long the next batch of `provider` takes, ms: a log-normal draw when configured, else `defaultSeconds`. */
  batchWindowMs(provider: Provider, defaultSeconds: number): number {
    const t = this.batch[provider];
    if (!t) return defaultSeconds * 1000;
    const sigma = Math.log(t.p95_seconds / t.p50_seconds) / Z95;
    return t.p50_seconds * 1000 * Math.exp(sigma * this.normal());
  }

  view() {
    return {
      flex: { capacity: this.flexCapacity, refuse_share: this.flexRefuseShare, latency_ms: this.flexLatencyMs, in_flight: this.flexInFlight },
      batch: { openai: this.batch.openai ?? null, anthropic: this.batch.anthropic ?? null },
    };
  }

  /** Box–Muller. */
  private normal(): number {
    const u = Math.max(1e-12, this.rng.next());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.rng.next());
  }
}
