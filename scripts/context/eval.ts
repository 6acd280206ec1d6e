/**
 * Context-compaction eval over recorded agent runs: tokens, retention and what the user pays.
 *
 *   npm run context:eval -- --traces FILE [--strategy mask|summarize|mask+summarize]
 *                           [--window 2 --keep 1] [--facts ids|values|compact|none] [--base-url URL]
 *                           [--default-remaining 6] [--no-cost-model] [--quiet]
 *
 * FILE: JSON array of { task_id, messages } in OpenAI chat format. For every
 * assistant turn the request the agent sent at that point is rebuilt and run
 * through the compaction stage (summaries stored in the local Redis under a
 * throwaway prefix, so later calls reuse them as in production), once per
 * priced model: the catalog's default frontier model and the default frontier
 * model of each provider (the stage's cost model depends on the model's
 * prices and caching). Each call's input is priced under four policies (see
 * eval-costs.ts). Prints a table on stderr and one JSON line on stdout: totals
 * over all runs, `long_runs` (≥ 10 tool cycles), the two halves of a split by
 * task_id (`halves.a`, `halves.b`) and `per_run` costs on the default model.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { Catalog, type ModelEntry } from '../../shared/core/catalog/catalog';
import { ContextCompactionStage } from '../../shared/levers/context/compaction-stage';
import { COMPACTION_STRATEGIES, type CompactionStrategy } from '../../shared/levers/context/context-config';
import { estimateSystemTokens, estimateToolsTokens } from '../../shared/levers/context/token-estimate';
import { CostLedger } from '../../shared/core/accounting/cost-ledger';
import { createLogger } from '../../shared/platform/logging/logger';
import type { ChatRequest, ToolCall } from '../../shared/core/chat-model';
import { ChatCompletionBodySchema } from '../../shared/surfaces/chat-completions/request-schema';
import { openAIBodyToChatRequest } from '../../shared/surfaces/chat-completions/to-internal';
import type { PipelineContext } from '../../shared/core/stage';
import type { JobRecord } from '../../shared/core/jobs/job-record';
import { openSummarizerBackend } from './summarizer-backend';
import { addUsd, frontierByProvider, roundUsd, RunCosts, withoutCaching, zeroUsd, type PolicyUsd } from './eval-costs';
import { factRetention, nextCallRetention } from './eval-retention';

interface Run {
  task_id: string | number;
  trial?: number;
  messages: Record<string, unknown>[];
}

class Totals {
  runs = 0;
  calls = 0;
  before = 0;
  after = 0;
  system = 0;
  fixed = 0;
  replaced = 0;
  fallbacks = 0;
  skipped = 0;
  compactedCalls = 0;
  summarizer = 0;
  summarizerCalls = 0;
  factsTotal = 0;
  factsKept = 0;
  nextTotal = 0;
  nextKept = 0;
  usd = new Map<string, PolicyUsd>();
  add(o: Totals) {
    for (const k of Object.keys(this) as (keyof Totals)[]) if (typeof this[k] === 'number') (this[k] as number) += o[k] as number;
    for (const [id, usd] of o.usd) {
      if (!this.usd.has(id)) this.usd.set(id, zeroUsd());
      addUsd(this.usd.get(id)!, usd);
    }
  }
  costs(models: Map<string, ModelEntry>, defaultModel: ModelEntry) {
    const of = (m: ModelEntry) => ({ model: m.id, ...roundUsd(this.usd.get(m.id) ?? zeroUsd()) });
    const byProvider = Object.fromEntries([...models].map(([provider, m]) => [provider, of(m)]));
    return { cost_usd: of(defaultModel), cost_usd_by_provider: byProvider };
  }
  toJSON() {
    const net = this.before - this.after - this.summarizer;
    return {
      runs: this.runs,
      calls: this.calls,
      input_tokens_before: this.before,
      input_tokens_after: this.after,
      summarizer_tokens: this.summarizer,
      summarizer_calls: this.summarizerCalls,
      fallbacks: this.fallbacks,
      compacted_calls: this.compactedCalls,
      // Compactions the cost model declined (would not pay): the call kept its earlier prefix.
      skipped_by_cost_model: this.skipped,
      net_reduction: round(net / Math.max(1, this.before)),
      // The system prompt is kept verbatim (and served from the provider's prompt cache); this is the share of the rest.
      net_reduction_excl_system: round(net / Math.max(1, this.before - this.system)),
      // Everything but the system prompt and the tools list, gross (the summariser's cost is in cost_usd).
      touchable_reduction: round((this.before - this.after) / Math.max(1, this.before - this.fixed)),
      // What a free compaction (the compacted messages cost nothing) would reach with this window/keep and a verbatim system prompt.
      ceiling_reduction: round(this.replaced / Math.max(1, this.before)),
      ceiling_reduction_excl_system: round(this.replaced / Math.max(1, this.before - this.system)),
      fact_retention: this.factsTotal ? round(this.factsKept / this.factsTotal) : 1,
      facts_checked: this.factsTotal,
      next_call_retention: this.nextTotal ? round(this.nextKept / this.nextTotal) : 1,
      next_call_values_checked: this.nextTotal,
    };
  }
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

function toRequest(messages: Record<string, unknown>[]): ChatRequest {
  // Recorded tool messages carry a `name`, which the strict OpenAI schema rejects.
  const cleaned = messages.map((m) => (m.role === 'tool' ? { role: 'tool', tool_call_id: m.tool_call_id, content: m.content ?? '' } : m));
  return openAIBodyToChatRequest(ChatCompletionBodySchema.parse({ model: 'gpt-4.1', messages: cleaned }));
}

/**
 * Two halves by task id (all trials of a task fall in the same half). The salt
 * was chosen once so that both halves hold long runs; nothing else is tuned on it.
 */
function half(taskId: string | number): 'a' | 'b' {
  return createHash('sha256').update(`${SPLIT_SALT}:${taskId}`).digest()[0] % 2 === 0 ? 'a' : 'b';
}
const SPLIT_SALT = process.env.CONTEXT_EVAL_SPLIT_SALT ?? 'split-1';

async function main() {
  const { values } = parseArgs({
    options: {
      traces: { type: 'string' },
      strategy: { type: 'string', default: 'mask+summarize' },
      window: { type: 'string', default: '2' },
      keep: { type: 'string', default: '1' },
      facts: { type: 'string', default: 'compact' },
      'base-url': { type: 'string' },
      'summary-max-tokens': { type: 'string', default: '400' },
      'default-remaining': { type: 'string', default: '6' },
      'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      quiet: { type: 'boolean', default: false },
      // Compact on the schedule alone, whatever the cost model says (for comparison).
      'no-cost-model': { type: 'boolean', default: false },
    },
  });
  if (!values.traces) throw new Error('--traces FILE is required');
  const strategy = values.strategy as CompactionStrategy;
  if (!COMPACTION_STRATEGIES.includes(strategy)) throw new Error(`--strategy must be one of ${COMPACTION_STRATEGIES.join(', ')}`);
  const window = Number(values.window);
  const keep = Number(values.keep);
  const facts = values.facts as 'ids' | 'values' | 'compact' | 'none';
  const runs = JSON.parse(readFileSync(values.traces, 'utf8')) as Run[];

  const catalog = Catalog.load();
  const defaultModel = catalog.defaultFrontier;
  const byProvider = frontierByProvider(catalog);
  const models = [...new Map([[defaultModel.id, defaultModel], ...[...byProvider.values()].map((m): [string, ModelEntry] => [m.id, m])]).values()];
  const small = catalog.byTier('small', 'openai')[0] ?? catalog.byTier('small')[0];
  const backend = await openSummarizerBackend(small, values['base-url'], Number(values['summary-max-tokens']));
  const redis = new Redis(values['redis-url']!, { lazyConnect: false, maxRetriesPerRequest: 1 });
  const keyPrefix = `parsimony:eval:${randomUUID()}:`;
  const stage = new ContextCompactionStage({
    summarizer: backend.summarizer,
    redis,
    keyPrefix,
    config: { strategy, window, keep, facts, defaultRemainingCalls: Number(values['default-remaining']), costModel: !values['no-cost-model'] },
  });
  const log = createLogger({ service: 'context-eval', level: 'silent' });
  const ctxFor = (request: ChatRequest): PipelineContext => {
    const job = {
      id: randomUUID(),
      tenant: 'eval',
      status: 'running',
      created_at: new Date().toISOString(),
      options: { requested_model: request.model, latency: 'sync', metadata: { agent: 'eval-agent' } },
      request,
      attempts: 1,
    } as JobRecord;
    return { job, request, ledger: new CostLedger(), annotations: {}, log };
  };

  const groups = { all: new Totals(), long: new Totals(), a: new Totals(), b: new Totals(), a_long: new Totals(), b_long: new Totals() };
  const perRun: Record<string, unknown>[] = [];
  try {
    for (const run of runs) {
      const cycles = run.messages.filter((m) => m.role === 'tool').length;
      const totals = new Totals();
      totals.runs = 1;
      const full = toRequest(run.messages).messages;
      const systemCount = run.messages.filter((m) => m.role === 'system' || m.role === 'developer').length;
      const costs = models.map((m) => new RunCosts(m, catalog));
      for (let i = 0; i < run.messages.length; i++) {
        if (run.messages[i].role !== 'assistant') continue;
        const prefix = run.messages.slice(0, i);
        if (prefix.length <= systemCount) continue;
        const next = (full[i - systemCount] as { tool_calls?: ToolCall[] }).tool_calls ?? [];
        for (const [k, cost] of costs.entries()) {
          const request = toRequest(prefix);
          const ctx = ctxFor({ ...request, model: cost.model.id });
          ctx.model = cost.model;
          await stage.run(ctx);
          const ann = ctx.annotations.context as {
            tokens_before: number;
            tokens_after: number;
            replaced_tokens: number;
            fallback?: string;
            cost_model?: { decision: string };
            summarizer?: { input_tokens: number; output_tokens: number; usd: number };
          };
          const compacted = { ...ctx.request, model: request.model };
          // The compaction-only policy: what the stage does when the provider caches nothing.
          const bare = ctxFor({ ...request, model: cost.model.id });
          bare.model = withoutCaching(cost.model);
          await stage.run(bare);
          const bareUsd = (bare.annotations.context as { summarizer?: { usd: number } } | undefined)?.summarizer?.usd ?? 0;
          if (process.env.CTX_DEBUG && cost.model.id === process.env.CTX_DEBUG)
            process.stderr.write(`${run.trial} ${i} ${ann.tokens_before} ${ann.tokens_after} ${JSON.stringify(ann.cost_model ?? '')}\n`);
          await cost.add(ctxFor, request, ctx.request, ann.summarizer?.usd ?? 0, ann, { request: bare.request, summaryUsd: bareUsd });
          if (k !== 0) continue; // tokens and retention from the default model's run
          totals.calls++;
          totals.before += ann.tokens_before;
          totals.after += ann.tokens_after;
          totals.system += estimateSystemTokens(request);
          totals.fixed += estimateSystemTokens(request) + estimateToolsTokens(request.tools);
          totals.replaced += ann.replaced_tokens;
          if (ann.fallback) totals.fallbacks++;
          if (ann.cost_model?.decision === 'skip') totals.skipped++;
          if (ann.summarizer) {
            totals.summarizer += ann.summarizer.input_tokens + ann.summarizer.output_tokens;
            totals.summarizerCalls++;
          }
          if (ctx.request !== ctx.job.request) {
            totals.compactedCalls++;
            const f = factRetention(request, compacted, full.slice(i - systemCount));
            totals.factsTotal += f.total;
            totals.factsKept += f.kept;
            const n = nextCallRetention(request, compacted, next);
            totals.nextTotal += n.total;
            totals.nextKept += n.kept;
          }
        }
      }
      for (const cost of costs) totals.usd.set(cost.model.id, cost.usd);
      perRun.push({
        task_id: run.task_id,
        trial: run.trial,
        cycles,
        calls: totals.calls,
        ...roundUsd(totals.usd.get(defaultModel.id)!),
        by_model: Object.fromEntries(costs.map((c) => [c.model.id, roundUsd(c.usd)])),
        touchable_before: totals.before - totals.fixed,
        touchable_after: totals.after - totals.fixed,
        facts: [totals.factsKept, totals.factsTotal],
        next_call: [totals.nextKept, totals.nextTotal],
      });
      const h = half(run.task_id);
      groups.all.add(totals);
      groups[h].add(totals);
      if (cycles >= 10) {
        groups.long.add(totals);
        groups[`${h}_long`].add(totals);
      }
    }
  } finally {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await backend.close();
  }
  const summary = (t: Totals) => ({ ...t.toJSON(), ...t.costs(byProvider, defaultModel) });
  const out = {
    strategy,
    window,
    keep,
    facts,
    cost_model: !values['no-cost-model'],
    summarizer: backend.kind,
    ...summary(groups.all),
    long_runs: summary(groups.long),
    halves: {
      a: { ...summary(groups.a), long_runs: summary(groups.a_long) },
      b: { ...summary(groups.b), long_runs: summary(groups.b_long) },
    },
    per_run: perRun,
  };
  if (!values.quiet) process.stderr.write(table(out.cost_usd_by_provider, out.long_runs.cost_usd_by_provider, out, perRun));
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

type CostRow = { model: string } & PolicyUsd;
function table(
  all: Record<string, CostRow>,
  long: Record<string, CostRow>,
  out: ReturnType<Totals['toJSON']> & { long_runs: ReturnType<Totals['toJSON']> },
  perRun: Record<string, unknown>[],
): string {
  const pct = (x: number, base: number) => `${x.toFixed(4)} (${base ? (((base - x) / base) * 100).toFixed(1) : '0.0'}% below as sent)`;
  const lines = ['', 'Input cost (USD) by policy', ''];
  for (const [label, rows] of [
    ['all runs', all],
    ['long runs (>= 10 tool cycles)', long],
  ] as const) {
    lines.push(`${label}:`, '| model | as sent | prompt cache only | compaction only | compaction + cache |', '| --- | --- | --- | --- | --- |');
    for (const r of Object.values(rows))
      lines.push(`| ${r.model} | ${r.as_sent.toFixed(4)} | ${pct(r.prompt_cache_only, r.as_sent)} | ${pct(r.compaction_only, r.as_sent)} | ${pct(r.compaction_and_cache, r.as_sent)} |`);
    lines.push('');
  }
  const worse = perRun.filter((r) => (r.compaction_and_cache as number) > (r.prompt_cache_only as number) + 1e-9).length;
  lines.push(`runs where compaction + cache cost more than prompt cache only (default model): ${worse} of ${perRun.length}`);
  lines.push(
    `touchable reduction ${out.touchable_reduction} (long runs ${out.long_runs.touchable_reduction}); fact retention ${out.fact_retention}; next-call retention ${out.next_call_retention} (long runs ${out.long_runs.next_call_retention})`,
    '',
  );
  return `${lines.join('\n')}\n`;
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
