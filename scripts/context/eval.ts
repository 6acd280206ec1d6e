/**
 * Context-compaction eval over recorded agent runs.
 *
 *   npm run context:eval -- --traces FILE [--strategy mask|summarize|mask+summarize]
 *                           [--window 4 --keep 2] [--facts ids|values|compact|none] [--base-url URL]
 *
 * FILE: JSON array of { task_id, messages } in OpenAI chat format. For every
 * assistant turn the request the agent sent at that point is rebuilt and run
 * through the compaction stage (summaries stored in the local Redis under a
 * throwaway prefix, so later calls reuse them as in production). Prints one
 * JSON line: totals over all runs, `long_runs` (≥ 10 tool cycles), and the
 * same for the two halves of a split by task_id (`halves.a`, `halves.b`).
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { Catalog } from '../../shared/core/catalog/catalog';
import { ContextCompactionStage } from '../../shared/levers/context/compaction-stage';
import { COMPACTION_STRATEGIES, type CompactionStrategy } from '../../shared/levers/context/context-config';
import { collectIdentifiers } from '../../shared/levers/context/identifiers';
import { estimateSystemTokens } from '../../shared/levers/context/token-estimate';
import { CostLedger } from '../../shared/core/accounting/cost-ledger';
import { createLogger } from '../../shared/platform/logging/logger';
import type { ChatMessage, ChatRequest } from '../../shared/core/chat-model';
import { ChatCompletionBodySchema } from '../../shared/surfaces/chat-completions/request-schema';
import { openAIBodyToChatRequest } from '../../shared/surfaces/chat-completions/to-internal';
import type { PipelineContext } from '../../shared/core/stage';
import type { JobRecord } from '../../shared/core/jobs/job-record';
import { openSummarizerBackend } from './summarizer-backend';

interface Run {
  task_id: string | number;
  messages: Record<string, unknown>[];
}

class Totals {
  runs = 0;
  calls = 0;
  before = 0;
  after = 0;
  system = 0;
  replaced = 0;
  fallbacks = 0;
  summarizer = 0;
  summarizerCalls = 0;
  factsTotal = 0;
  factsKept = 0;
  add(o: Totals) {
    for (const k of Object.keys(this) as (keyof Totals)[]) if (typeof this[k] === 'number') (this[k] as number) += o[k] as number;
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
      net_reduction: round(net / Math.max(1, this.before)),
      // The system prompt is kept verbatim (and served from the provider's prompt cache); this is the share of the rest.
      net_reduction_excl_system: round(net / Math.max(1, this.before - this.system)),
      // What a free compaction (the compacted messages cost nothing) would reach with this window/keep and a verbatim system prompt.
      ceiling_reduction: round(this.replaced / Math.max(1, this.before)),
      ceiling_reduction_excl_system: round(this.replaced / Math.max(1, this.before - this.system)),
      fact_retention: this.factsTotal ? round(this.factsKept / this.factsTotal) : 1,
      facts_checked: this.factsTotal,
    };
  }
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

function idsOfMessages(messages: readonly ChatMessage[]): Set<string> {
  const ids = new Set<string>();
  for (const m of messages) collectIdentifiers(messageText(m), ids);
  return ids;
}

function messageText(m: ChatMessage): string {
  if (m.role === 'tool') return m.content;
  const text = m.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
  const calls = m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => `${c.name} ${c.arguments}`).join('\n') : '';
  return `${text}\n${calls}`;
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
      window: { type: 'string', default: '4' },
      keep: { type: 'string', default: '2' },
      facts: { type: 'string', default: 'compact' },
      'base-url': { type: 'string' },
      'summary-max-tokens': { type: 'string', default: '400' },
      'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
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
  const small = catalog.byTier('small', 'openai')[0];
  const backend = await openSummarizerBackend(small, values['base-url'], Number(values['summary-max-tokens']));
  const redis = new Redis(values['redis-url']!, { lazyConnect: false, maxRetriesPerRequest: 1 });
  const keyPrefix = `parsimony:eval:${randomUUID()}:`;
  const stage = new ContextCompactionStage({ summarizer: backend.summarizer, redis, keyPrefix, config: { strategy, window, keep, facts } });
  const log = createLogger({ service: 'context-eval', level: 'silent' });

  const groups = { all: new Totals(), long: new Totals(), a: new Totals(), b: new Totals(), a_long: new Totals(), b_long: new Totals() };
  try {
    for (const run of runs) {
      const cycles = run.messages.filter((m) => m.role === 'tool').length;
      const totals = new Totals();
      totals.runs = 1;
      const full = toRequest(run.messages).messages;
      const systemCount = run.messages.filter((m) => m.role === 'system' || m.role === 'developer').length;
      for (let i = 0; i < run.messages.length; i++) {
        if (run.messages[i].role !== 'assistant') continue;
        const prefix = run.messages.slice(0, i);
        if (prefix.length <= systemCount) continue;
        const request = toRequest(prefix);
        const job = { id: randomUUID(), tenant: 'eval', status: 'running', created_at: new Date().toISOString(), options: { requested_model: 'gpt-4.1', latency: 'sync' }, request, attempts: 1 } as JobRecord;
        const ctx: PipelineContext = { job, request, ledger: new CostLedger(), annotations: {}, log };
        await stage.run(ctx);
        const ann = ctx.annotations.context as { tokens_before: number; tokens_after: number; replaced_tokens: number; summarizer?: { input_tokens: number; output_tokens: number } };
        totals.calls++;
        totals.before += ann.tokens_before;
        totals.after += ann.tokens_after;
        totals.system += estimateSystemTokens(request);
        totals.replaced += ann.replaced_tokens;
        if ((ann as { fallback?: string }).fallback) totals.fallbacks++;
        if (ann.summarizer) {
          totals.summarizer += ann.summarizer.input_tokens + ann.summarizer.output_tokens;
          totals.summarizerCalls++;
        }
        if (ctx.request !== request) {
          // Compacted-away content: messages of the original that are not in the compacted request verbatim.
          const kept = new Set(ctx.request.messages.map((m) => JSON.stringify(m)));
          const removed = request.messages.filter((m) => !kept.has(JSON.stringify(m)));
          const later = idsOfMessages(full.slice(i - systemCount));
          const present = idsOfMessages(ctx.request.messages);
          collectIdentifiers(ctx.request.system.map((p) => p.text).join('\n'), present);
          for (const id of idsOfMessages(removed)) {
            if (!later.has(id)) continue;
            totals.factsTotal++;
            if (present.has(id)) totals.factsKept++;
          }
        }
      }
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
  const out = {
    strategy,
    window,
    keep,
    facts,
    summarizer: backend.kind,
    ...groups.all.toJSON(),
    long_runs: groups.long.toJSON(),
    halves: {
      a: { ...groups.a.toJSON(), long_runs: groups.a_long.toJSON() },
      b: { ...groups.b.toJSON(), long_runs: groups.b_long.toJSON() },
    },
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
