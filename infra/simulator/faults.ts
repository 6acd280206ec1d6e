import { z } from 'zod';

/**
 * Fault injection: rules that make the next matching requests fail, slow down
 * or hang, and batch faults applied to the next created batches. The same
 * operations are reachable in-process (`sim.faults`) and over HTTP
 * (`POST/DELETE/GET /_sim/faults`) for processes in other containers.
 */

const BatchFaultSchema = z
  .object({
    /** The batch expires at the end of its window instead of completing. */
    expire: z.boolean().optional(),
    /** Share (0–1) of the requests that finished before an expiry or cancel; default 0. */
    completed_share: z.number().min(0).max(1).optional(),
    /** Share (0–1) of the batch's requests that come back as errors (partial failure). */
    error_share: z.number().min(0).max(1).optional(),
  })
  .strict();

export const FaultRuleSchema = z
  .object({
    match: z
      .object({
        /** Exact request path (e.g. "/v1/chat/completions"), or a prefix ending in "*". */
        path: z.string().min(1).optional(),
        /** The request body's `model`. */
        model: z.string().min(1).optional(),
        /** A substring of the raw request body (not applied to multipart uploads). */
        contains: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** HTTP status to answer with, in the provider's error shape. */
    status: z.number().int().min(400).max(599).optional(),
    /** Overrides the provider-like default error message. */
    message: z.string().optional(),
    /** Sent as `retry-after` (with rate-limit headers on 429). */
    retry_after_seconds: z.number().nonnegative().optional(),
    /** How many requests (or batches) the rule applies to; default 1, 0 = until cleared. */
    times: z.number().int().nonnegative().optional(),
    /** Extra delay before answering (alone: a slow but successful request). */
    latency_ms: z.number().nonnegative().optional(),
    /** Accept the request and never answer (timeout tests). */
    hang: z.boolean().optional(),
    /** A batch fault for the next created batch(es) instead of an HTTP fault. */
    batch: BatchFaultSchema.optional(),
    /** Answer normally, but with this assistant text instead of the simulated answer (a model that answers wrong). */
    content: z.string().optional(),
    /** Answer normally, but with this tool call instead (`arguments` is sent as is, so it may be invalid JSON). */
    tool_call: z
      .object({ name: z.string().min(1), arguments: z.string() })
      .strict()
      .optional(),
  })
  .strict()
  .refine((r) => r.status !== undefined || r.hang || r.latency_ms !== undefined || r.batch !== undefined || r.content !== undefined || r.tool_call !== undefined, {
    message: 'a rule needs one of status, hang, latency_ms, batch, content or tool_call',
  });

export const FaultsBodySchema = z
  .object({
    rules: z.array(FaultRuleSchema).optional(),
    /** Global latency added to every provider request, in ms. */
    latency_ms: z.number().nonnegative().optional(),
  })
  .strict();

export type FaultRule = z.input<typeof FaultRuleSchema>;
export type BatchFault = z.infer<typeof BatchFaultSchema>;

interface ActiveRule {
  rule: z.infer<typeof FaultRuleSchema>;
  /** Remaining applications; Infinity for times: 0. */
  remaining: number;
}

/** A replaced answer: chat/messages handlers answer with this instead of the simulated text or tool call. */
export type AnswerOverride = { content: string } | { tool_call: { name: string; arguments: string } };

/** What the router must do to one request. */
export interface HttpFault {
  status?: number;
  message?: string;
  retryAfterSeconds?: number;
  latencyMs: number;
  hang: boolean;
  answer?: AnswerOverride;
}

export class FaultController {
  private rules: ActiveRule[] = [];
  private latency: number;

  constructor(private readonly baseLatencyMs = 0) {
    this.latency = baseLatencyMs;
  }

  /** Adds a rule (validated; throws on an invalid rule). Rules are tried in the order added. */
  add(rule: FaultRule): void {
    const parsed = FaultRuleSchema.parse(rule);
    const times = parsed.times ?? 1;
    this.rules.push({ rule: parsed, remaining: times === 0 ? Infinity : times });
  }

  /** Removes every rule and restores the start-up latency. */
  clear(): void {
    this.rules = [];
    this.latency = this.baseLatencyMs;
  }

  /** Global latency in ms added before every provider answer. */
  setLatency(ms: number): void {
    this.latency = Math.max(0, ms);
  }

  get latencyMs(): number {
    return this.latency;
  }

  /** The rules still active, with how many applications they have left (null = unlimited). */
  list(): (FaultRule & { remaining: number | null })[] {
    return this.rules.map((r) => ({ ...r.rule, remaining: Number.isFinite(r.remaining) ? r.remaining : null }));
  }

  get size(): number {
    return this.rules.length;
  }

  /** Consumes the first HTTP rule matching this request, if any. */
  takeHttp(path: string, model: string | undefined, rawBody: string | undefined): HttpFault | undefined {
    if (this.rules.length === 0) return undefined;
    const active = this.find((r) => r.batch === undefined, path, model, rawBody);
    if (!active) return undefined;
    const r = active.rule;
    const answer: AnswerOverride | undefined = r.tool_call ? { tool_call: r.tool_call } : r.content !== undefined ? { content: r.content } : undefined;
    return { status: r.status, message: r.message, retryAfterSeconds: r.retry_after_seconds, latencyMs: r.latency_ms ?? 0, hang: r.hang ?? false, answer };
  }

  /**
   * Consumes the first answer-only rule (content or tool_call, no status, hang or latency) matching one
   * line of a provider batch, if any: a batch line can answer wrong like an interactive request.
   */
  takeBatchLineAnswer(path: string, model: string | undefined, rawBody: string): AnswerOverride | undefined {
    if (this.rules.length === 0) return undefined;
    const answerOnly = (r: ActiveRule['rule']) => r.batch === undefined && r.status === undefined && !r.hang && r.latency_ms === undefined && (r.content !== undefined || r.tool_call !== undefined);
    const r = this.find(answerOnly, path, model, rawBody)?.rule;
    return r ? (r.tool_call ? { tool_call: r.tool_call } : { content: r.content! }) : undefined;
  }

  /** Consumes the first batch rule matching a batch being created, if any. */
  takeBatch(path: string, model: string | undefined): BatchFault | undefined {
    if (this.rules.length === 0) return undefined;
    return this.find((r) => r.batch !== undefined, path, model, undefined)?.rule.batch;
  }

  private find(kind: (r: ActiveRule['rule']) => boolean, path: string, model: string | undefined, rawBody: string | undefined): ActiveRule | undefined {
    for (let i = 0; i < this.rules.length; i++) {
      const active = this.rules[i];
      if (!kind(active.rule) || !matches(active.rule.match, path, model, rawBody)) continue;
      active.remaining -= 1;
      if (active.remaining <= 0) this.rules.splice(i, 1);
      return active;
    }
    return undefined;
  }
}

function matches(match: ActiveRule['rule']['match'], path: string, model: string | undefined, rawBody: string | undefined): boolean {
  if (!match) return true;
  if (match.path !== undefined) {
    const ok = match.path.endsWith('*') ? path.startsWith(match.path.slice(0, -1)) : path === match.path;
    if (!ok) return false;
  }
  if (match.model !== undefined && match.model !== model) return false;
  if (match.contains !== undefined && (rawBody === undefined || !rawBody.includes(match.contains))) return false;
  return true;
}
