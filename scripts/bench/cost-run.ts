import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { toFile } from 'openai';
import { messagesBody, responsesBody } from './agent-surfaces';
import { progress } from './common/machine';
import { cleanupPrefix, startParsimonyProcess, type BenchProcess } from './common/processes';
import { replaySample, type AgentItem, type BatchItem, type ChatBody, type FaqItem, type TaskItem, type Workload } from './cost-workload';

/**
 * The segments' tenants; `replay` carries the extra accuracy sample and stays out of the waterfall. Agent chains have
 * one tenant per surface (`agent` = chat completions), so /v1/savings shows each surface's waterfall.
 */
export const TENANTS = ['faq', 'agent', 'agent_responses', 'agent_messages', 'tasks', 'nightly', 'replay'] as const;
export type Tenant = (typeof TENANTS)[number];
const keyOf = (t: Tenant) => `k-bench-cost-${t}`;

/** Batch-lever timings for a benchmark: provider batches flushed and polled within seconds, not minutes. */
const QUICK_BATCH_ENV = {
  PARSIMONY_BATCH_MAX_WAIT_SECONDS: '2',
  PARSIMONY_BATCH_FLUSH_INTERVAL_MS: '500',
  PARSIMONY_BATCH_POLL_SECONDS: '1',
  PARSIMONY_BATCH_POLL_MAX_SECONDS: '2',
  PARSIMONY_BATCH_SWEEP_MS: '1000',
};

export interface Served {
  cache: string | null;
  tier: string | null;
  model: string | null;
  ok: boolean;
}

export interface MixRun {
  savings: Record<Tenant, Savings>;
  faq: { item: FaqItem; served: Served }[];
  tasks: { item: TaskItem; served: Served }[];
  replay: { item: TaskItem; served: Served }[];
  agent: { item: AgentItem; served: Served }[];
  batch: { status: string; request_counts: unknown; seconds: number; cost: unknown };
  errors: number;
  seconds: number;
}

export interface Savings {
  baseline_usd: number;
  actual_usd: number;
  saved_usd: number;
  overhead_usd: number;
  requests: number;
  cache_hit_rate: number;
  batch_share: number;
  by_lever: Record<string, number>;
  routing_mix: Record<string, number>;
  input_tokens: number;
  output_tokens: number;
}

/** Runs `worker` over `items` with at most `limit` at once. */
async function pool<T>(items: readonly T[], limit: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await worker(items[next++]);
    }),
  );
}

async function send(client: OpenAI, body: ChatBody): Promise<Served> {
  return served(() => client.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming).withResponse());
}

async function served(call: () => Promise<{ response: Response }>): Promise<Served> {
  try {
    const h = (await call()).response.headers;
    return { cache: h.get('x-parsimony-cache'), tier: h.get('x-parsimony-tier'), model: h.get('x-parsimony-model'), ok: true };
  } catch (err) {
    progress(`request failed: ${(err as Error).message.slice(0, 200)}`);
    return { cache: null, tier: null, model: null, ok: false };
  }
}

/** One agent turn on its chain's surface, with that surface's official SDK. */
function sendAgentTurn(url: string, turn: AgentItem): Promise<Served> {
  const metadata = turn.body.metadata ?? {};
  if (turn.surface === 'responses') {
    const client = new OpenAI({ apiKey: keyOf('agent_responses'), baseURL: `${url}/v1`, maxRetries: 2, timeout: 120_000 });
    return served(() => client.responses.create(responsesBody(turn.body.messages, turn.tools, metadata)).withResponse());
  }
  if (turn.surface === 'messages') {
    const client = new Anthropic({ apiKey: keyOf('agent_messages'), baseURL: url, maxRetries: 2, timeout: 120_000 });
    return served(() => client.messages.create(messagesBody(turn.body.messages, turn.tools, metadata)).withResponse());
  }
  return send(new OpenAI({ apiKey: keyOf('agent'), baseURL: `${url}/v1`, maxRetries: 2, timeout: 120_000 }), turn.body);
}

/** Waits until the cache-service has stored every answer handed to it (the cache-store queue is empty). */
async function cacheDrained(url: string, key: string): Promise<void> {
  const until = Date.now() + 60_000;
  await new Promise((r) => setTimeout(r, 500));
  while (Date.now() < until) {
    const res = await fetch(`${url}/v1/queues`, { headers: { authorization: `Bearer ${key}` } });
    const q = ((await res.json()) as { queues: Record<string, Record<string, number>> }).queues['cache-store'] ?? {};
    // `delayed` holds the repeatable expiry sweep, always there: only waiting and active work counts.
    if (!(q.waiting ?? 0) && !(q.active ?? 0) && !(q.prioritized ?? 0)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  progress('cache-store queue did not drain within 60 s; going on');
}

async function runBatch(client: OpenAI, items: BatchItem[]): Promise<MixRun['batch']> {
  if (!items.length) return { status: 'none', request_counts: null, seconds: 0, cost: null };
  const t0 = Date.now();
  const jsonl = items.map((it, i) => JSON.stringify({ custom_id: `nightly-${i}`, method: 'POST', url: '/v1/chat/completions', body: it.body })).join('\n');
  const file = await client.files.create({ file: await toFile(Buffer.from(`${jsonl}\n`), 'nightly.jsonl'), purpose: 'batch' });
  let batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  const until = Date.now() + 600_000;
  while (!['completed', 'failed', 'expired', 'cancelled'].includes(batch.status) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 1000));
    batch = await client.batches.retrieve(batch.id);
  }
  return { status: batch.status, request_counts: batch.request_counts, seconds: Math.round((Date.now() - t0) / 1000), cost: (batch as unknown as { cost?: unknown }).cost ?? null };
}

async function savingsOf(url: string, tenant: Tenant, expected: number): Promise<Savings> {
  const from = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const until = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${url}/v1/savings?from=${from}`, { headers: { authorization: `Bearer ${keyOf(tenant)}` } });
    const s = (await res.json()) as Savings;
    if (s.requests >= expected || Date.now() > until) {
      if (s.requests < expected) progress(`savings of ${tenant}: ${s.requests} of ${expected} requests counted after 60 s`);
      return s;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Sends one workload through the real HTTP API of a fresh Parsimony (own
 * process, own Redis prefix) against the simulator, with the official openai
 * SDK, and reads the savings per tenant from GET /v1/savings.
 */
export async function runMix(w: Workload, o: { simUrl: string; dataDir: string; replayN: number; concurrency: number; label: string }): Promise<MixRun> {
  const t0 = Date.now();
  const prefix = `bench-cost-${process.pid}-${o.label}`;
  let parsimony: BenchProcess | undefined;
  try {
    parsimony = await startParsimonyProcess({ simUrl: o.simUrl, prefix, keys: Object.fromEntries(TENANTS.map((t) => [t, keyOf(t)])), env: QUICK_BATCH_ENV });
    const url = parsimony.url;
    const client = (t: Tenant) => new OpenAI({ apiKey: keyOf(t), baseURL: `${url}/v1`, maxRetries: 2, timeout: 120_000 });
    const c = o.concurrency;
    const exclude = new Set(w.tasks.filter((t) => t.replay).map((t) => (t.body.messages[0] as { content: string }).content));
    const replayItems = o.replayN > 0 ? replaySample(o.dataDir, o.replayN, w.mix.seed + 1, exclude) : [];

    // The nightly batch runs in the background while the interactive traffic flows.
    const batchDone = runBatch(client('nightly'), w.batch);
    const faq: MixRun['faq'] = [];
    const tasks: MixRun['tasks'] = [];
    const replay: MixRun['replay'] = [];
    const agent: MixRun['agent'] = [];
    const firsts = w.faq.filter((f) => f.phase === 'first');
    const later = w.faq.filter((f) => f.phase !== 'first');
    progress(
      `${o.label}: ${firsts.length} first FAQ asks, ${w.tasks.length} tasks, ${w.counts.agent} agent turns in ${w.agent.length} runs, ${replayItems.length} replay prompts, ${w.batch.length} batch lines`,
    );
    await Promise.all([
      pool(firsts, c, async (item) => void faq.push({ item, served: await send(client('faq'), item.body) })),
      pool(w.tasks, c, async (item) => void tasks.push({ item, served: await send(client('tasks'), item.body) })),
      pool(replayItems, c, async (item) => void replay.push({ item, served: await send(client('replay'), item.body) })),
      // An agent waits for each answer before its next turn: chains run in parallel, turns in order.
      pool(w.agent, c, async (chain: AgentItem[]) => {
        for (const turn of chain) agent.push({ item: turn, served: await sendAgentTurn(url, turn) });
      }),
    ]);
    await cacheDrained(url, keyOf('faq'));
    progress(`${o.label}: ${later.length} FAQ repeats and variants`);
    await pool(later, c, async (item) => void faq.push({ item, served: await send(client('faq'), item.body) }));
    const batch = await batchDone;
    progress(`${o.label}: nightly batch ${batch.status} in ${batch.seconds} s`);

    const agentOk = (surface: AgentItem['surface']) => agent.filter((a) => a.item.surface === surface && a.served.ok).length;
    const expected: Record<Tenant, number> = {
      faq: faq.filter((f) => f.served.ok).length,
      agent: agentOk('chat'),
      agent_responses: agentOk('responses'),
      agent_messages: agentOk('messages'),
      tasks: tasks.filter((t) => t.served.ok).length,
      nightly: w.batch.length,
      replay: replay.filter((r) => r.served.ok).length,
    };
    const savings = {} as Record<Tenant, Savings>;
    for (const t of TENANTS) savings[t] = await savingsOf(url, t, expected[t]);
    const errors = [...faq.map((f) => f.served), ...tasks.map((t) => t.served), ...replay.map((r) => r.served), ...agent.map((a) => a.served)].filter((s) => !s.ok).length;
    return { savings, faq, tasks, replay, agent, batch, errors, seconds: Math.round((Date.now() - t0) / 1000) };
  } finally {
    await parsimony?.stop();
    await cleanupPrefix(prefix);
  }
}
