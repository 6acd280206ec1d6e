import { join } from 'node:path';
import { seededRandom, shuffled } from './common/stats';
import { readJsonl, readTraces, type AgentRun, type CachePair, type ReplayRow, type TaskRow } from './common/datasets';
import { AGENT_SURFACES, chatTools, toolsOfRun, type AgentSurface, type AgentTool } from './agent-surfaces';

/**
 * The reference workload of the cost benchmark, built reproducibly (one seed)
 * from the dev data. Four segments, each sent as its own tenant so the
 * waterfall can be read per segment:
 *
 * - faq (interactive FAQ traffic, cache-pairs-dev.jsonl): first asks of `a`
 *   questions, then — once their answers are stored — exact repeats of earlier
 *   asks and "variants": the pair's `b`, which either paraphrases `a`
 *   (same=true) or is a lexically close different question (same=false, the
 *   data's hard negatives). A hit on a same=false variant is a false hit.
 * - agent (agent chains, agent-traces-dev.json): for each sampled run, every
 *   assistant turn's request as the agent sent it (the history so far) with
 *   the run's tools offered, metadata.agent "airline"; trials of one task
 *   share their opening turns. Chains take turns between the three agent
 *   surfaces — chat completions, the Responses API, Anthropic Messages — each
 *   sent by its own tenant with its official SDK (agent-surfaces.ts).
 * - tasks (interactive task mix): MMLU replay prompts (routing-mmlu-dev.jsonl,
 *   scored with weak_correct / strong_correct), MT-Bench first turns (its
 *   eight categories), and generated classification, extraction,
 *   summarisation, synthesis, planning and coding requests.
 * - nightly (batch share): classification, extraction and summarisation lines
 *   submitted through the Batch API (POST /v1/files + /v1/batches).
 *
 * Every request uses model "auto" and no hints: what the levers do is theirs.
 */
export interface WorkloadMix {
  /** Requests in total. */
  n: number;
  faqShare: number;
  agentShare: number;
  batchShare: number;
  /** Within faq: share of exact repeats and of variants (the rest are first asks). */
  faqRepeat: number;
  faqVariant: number;
  seed: number;
}

/** The task mix of the `tasks` segment (shares of it); the batch segment uses classification/extraction/summarisation only. */
export const TASK_MIX: Record<string, number> = { mmlu: 0.35, mtbench: 0.2, classification: 0.1, extraction: 0.1, summarisation: 0.1, synthesis: 0.05, planning: 0.05, coding: 0.05 };
const BATCH_MIX: Record<string, number> = { classification: 0.4, extraction: 0.3, summarisation: 0.3 };

export type ChatBody = { model: string; messages: Record<string, unknown>[]; max_tokens?: number; metadata?: Record<string, string>; tools?: ReturnType<typeof chatTools> };
/** `pair`: index of the first ask this item repeats or varies (its own index for a first ask). */
export type FaqItem = { kind: 'faq'; phase: 'first' | 'repeat' | 'variant'; pair: number; same?: boolean; body: ChatBody };
/** `body` is the turn in chat format; `surface` says which wire format and SDK sends it, `tools` what the agent offers. */
export type AgentItem = { kind: 'agent'; run: string; step: number; surface: AgentSurface; tools: AgentTool[]; body: ChatBody };
export type TaskItem = { kind: 'task'; task: string; body: ChatBody; replay?: { weak: boolean; strong: boolean; domain: string } };
export type BatchItem = { kind: 'batch'; task: string; body: ChatBody };

export interface Workload {
  mix: WorkloadMix;
  faq: FaqItem[];
  agent: AgentItem[][];
  tasks: TaskItem[];
  batch: BatchItem[];
  counts: Record<string, number>;
}

const FAQ_SYSTEM = "You are the help-centre assistant of a questions-and-answers site. Answer the user's question in two or three sentences.";
const TOPICS = 'technology, health, education, relationships, careers, finance, travel, entertainment, science, politics, other';
const GOALS = [
  'migrate our customer database to a new cloud provider',
  'launch a loyalty programme for frequent flyers',
  'reduce support ticket backlog by half in a quarter',
  'move the nightly reporting jobs to a streaming pipeline',
  'open a second office in another country',
  'roll out single sign-on to 40 internal tools',
  'cut the cloud bill by 30% without slowing releases',
  'prepare the company for a SOC 2 audit',
];
const CODE_SPECS = [
  'parses an ISO-8601 duration such as P3DT4H into seconds',
  'merges overlapping time intervals',
  'finds the k most frequent words in a text file',
  'validates an IBAN',
  'rate-limits calls with a token bucket',
  'computes the longest common subsequence of two strings',
  'retries an async function with exponential backoff and jitter',
  'converts a nested JSON object into dotted key paths',
];
const LANGS = ['Python', 'TypeScript', 'Go', 'Java'];

function user(text: string): Record<string, unknown> {
  return { role: 'user', content: text };
}

/** Recorded tool messages carry a `name` the strict chat schema rejects; keep what the API takes. */
function cleanMessage(m: Record<string, unknown>): Record<string, unknown> {
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.tool_call_id, content: m.content ?? '' };
  if (m.role === 'assistant') {
    const out: Record<string, unknown> = { role: 'assistant', content: m.content ?? null };
    if (Array.isArray(m.tool_calls) && m.tool_calls.length) out.tool_calls = m.tool_calls;
    return out;
  }
  return { role: m.role, content: m.content ?? '' };
}

function allocate(total: number, shares: Record<string, number>): Record<string, number> {
  const keys = Object.keys(shares);
  const sum = keys.reduce((s, k) => s + shares[k], 0);
  const out: Record<string, number> = {};
  let used = 0;
  keys.forEach((k, i) => {
    out[k] = i === keys.length - 1 ? total - used : Math.round((total * shares[k]) / sum);
    used += out[k];
  });
  return out;
}

/** Builds the workload. Same mix and data → same requests, in the same order. */
export function buildWorkload(dataDir: string, mix: WorkloadMix): Workload {
  const rand = seededRandom(mix.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const pairs = shuffled(readJsonl<CachePair>(join(dataDir, 'cache-pairs-dev.jsonl')), rand);
  const replay = shuffled(readJsonl<ReplayRow>(join(dataDir, 'routing-mmlu-dev.jsonl')), rand);
  const mtbench = shuffled(readJsonl<TaskRow>(join(dataDir, 'tasks-mtbench.jsonl')), rand);
  const runs = shuffled(readTraces(join(dataDir, 'agent-traces-dev.json')), rand);
  const toolOutputs = runs.flatMap((r) => r.messages.filter((m) => m.role === 'tool').map((m) => String(m.content ?? ''))).filter((c) => c.length > 200);
  const dialogues = runs.map((r) =>
    r.messages
      .filter((m) => (m.role === 'user' || m.role === 'assistant') && typeof m.content === 'string' && m.content)
      .map((m) => `${m.role}: ${m.content}`)
      .slice(0, 10)
      .join('\n'),
  );
  let q = 0;
  const question = () => pairs[q++ % pairs.length].a;

  const gen: Record<string, () => ChatBody> = {
    classification: () => ({
      model: 'auto',
      messages: [user(`Classify the topic of the following question as one of: ${TOPICS}. Reply with the label only.\n\nQuestion: ${question()}`)],
      max_tokens: 5,
    }),
    extraction: () => ({
      model: 'auto',
      messages: [
        user(
          `Extract every reservation id, flight number, user id and date from this record. Reply with a JSON object with keys reservation_ids, flight_numbers, user_ids, dates.\n\n${pick(toolOutputs).slice(0, 2500)}`,
        ),
      ],
      max_tokens: 200,
    }),
    summarisation: () => ({
      model: 'auto',
      messages: [user(`Summarize this customer-service conversation in three bullet points for the support log.\n\n${pick(dialogues).slice(0, 4000)}`)],
      max_tokens: 150,
    }),
    synthesis: () => ({
      model: 'auto',
      messages: [
        user(
          `Using these notes from customer interviews, write a one-paragraph briefing for the product manager on what users are struggling with and what to do first:\n- ${question()}\n- ${question()}\n- ${question()}\n- ${question()}`,
        ),
      ],
      max_tokens: 300,
    }),
    planning: () => ({
      model: 'auto',
      messages: [
        user(`Plan how to ${pick(GOALS)} within ${2 + Math.floor(rand() * 10)} weeks with a team of ${3 + Math.floor(rand() * 12)}. Give a numbered plan with owners, milestones and the main risks.`),
      ],
      max_tokens: 500,
    }),
    coding: () => ({ model: 'auto', messages: [user(`Write a ${pick(LANGS)} function that ${pick(CODE_SPECS)}. Include unit tests.`)], max_tokens: 600 }),
  };

  const nFaq = Math.round(mix.n * mix.faqShare);
  const nAgent = Math.round(mix.n * mix.agentShare);
  const nBatch = Math.round(mix.n * mix.batchShare);
  const nTasks = Math.max(0, mix.n - nFaq - nAgent - nBatch);

  // FAQ: first asks, then repeats of earlier asks and variants (b of the same pairs).
  const nRepeat = Math.round(nFaq * mix.faqRepeat);
  const nVariant = Math.round(nFaq * mix.faqVariant);
  const nFirst = Math.max(1, nFaq - nRepeat - nVariant);
  const firsts = pairs.slice(0, nFirst);
  const faqBody = (text: string): ChatBody => ({ model: 'auto', messages: [{ role: 'system', content: FAQ_SYSTEM }, user(text)], max_tokens: 120 });
  const faq: FaqItem[] = firsts.map((p, i) => ({ kind: 'faq', phase: 'first', pair: i, body: faqBody(p.a) }));
  const later: FaqItem[] = [];
  // Popular questions repeat more: repeats are drawn with a skew towards the first asks' head.
  for (let i = 0; i < nRepeat; i++) {
    const pair = Math.floor(rand() ** 2 * firsts.length);
    later.push({ kind: 'faq', phase: 'repeat', pair, body: faqBody(firsts[pair].a) });
  }
  for (let i = 0; i < nVariant; i++) {
    const pair = i % firsts.length;
    later.push({ kind: 'faq', phase: 'variant', pair, same: firsts[pair].same, body: faqBody(firsts[pair].b) });
  }
  faq.push(...shuffled(later, rand));

  // Agent chains: whole runs, every assistant turn, until the share is filled.
  const agent: AgentItem[][] = [];
  let agentCount = 0;
  for (let r = 0; agentCount < nAgent && r < runs.length * 4; r++) {
    const run: AgentRun = runs[r % runs.length];
    const chain: AgentItem[] = [];
    const surface = AGENT_SURFACES[agent.length % AGENT_SURFACES.length];
    const tools = toolsOfRun(run.messages);
    run.messages.forEach((m, i) => {
      if (m.role !== 'assistant' || agentCount >= nAgent) return;
      const history = run.messages.slice(0, i);
      if (!history.some((h) => h.role === 'user')) return;
      const body: ChatBody = { model: 'auto', messages: history.map(cleanMessage), metadata: { agent: 'airline' } };
      if (tools.length) body.tools = chatTools(tools);
      chain.push({ kind: 'agent', run: `${run.task_id}/${run.trial ?? 0}/${r}`, step: chain.length, surface, tools, body });
      agentCount++;
    });
    if (chain.length) agent.push(chain);
  }

  const tasks: TaskItem[] = [];
  const taskCounts = allocate(nTasks, TASK_MIX);
  for (let i = 0; i < taskCounts.mmlu; i++) {
    const row = replay[i % replay.length];
    tasks.push({
      kind: 'task',
      task: 'mmlu',
      body: { model: 'auto', messages: [user(row.prompt)], max_tokens: 5 },
      replay: { weak: row.weak_correct, strong: row.strong_correct, domain: row.domain },
    });
  }
  for (let i = 0; i < taskCounts.mtbench; i++) {
    const row = mtbench[i % mtbench.length];
    tasks.push({ kind: 'task', task: `mtbench:${row.category}`, body: { model: 'auto', messages: [user(row.turns![0])], max_tokens: 600 } });
  }
  for (const task of Object.keys(gen)) for (let i = 0; i < (taskCounts[task] ?? 0); i++) tasks.push({ kind: 'task', task, body: gen[task]() });

  const batch: BatchItem[] = [];
  const batchCounts = allocate(nBatch, BATCH_MIX);
  for (const task of Object.keys(batchCounts)) for (let i = 0; i < batchCounts[task]; i++) batch.push({ kind: 'batch', task, body: gen[task]() });

  return {
    mix,
    faq,
    agent,
    tasks: shuffled(tasks, rand),
    batch: shuffled(batch, rand),
    counts: {
      faq: faq.length,
      faq_first: nFirst,
      faq_repeat: nRepeat,
      faq_variant: nVariant,
      agent: agentCount,
      agent_runs: agent.length,
      ...Object.fromEntries(AGENT_SURFACES.map((s) => [`agent_turns_${s}`, agent.filter((c) => c[0].surface === s).reduce((n, c) => n + c.length, 0)])),
      tasks: tasks.length,
      mmlu: taskCounts.mmlu,
      batch: batch.length,
    },
  };
}

/** Extra replay prompts (a separate tenant, outside the waterfall) so routed accuracy has enough rows to be read to a point. */
export function replaySample(dataDir: string, count: number, seed: number, exclude: ReadonlySet<string>): TaskItem[] {
  const rows = shuffled(readJsonl<ReplayRow>(join(dataDir, 'routing-mmlu-dev.jsonl')), seededRandom(seed)).filter((r) => !exclude.has(r.prompt));
  return rows.slice(0, count).map((row) => ({
    kind: 'task',
    task: 'mmlu',
    body: { model: 'auto', messages: [user(row.prompt)], max_tokens: 5 },
    replay: { weak: row.weak_correct, strong: row.strong_correct, domain: row.domain },
  }));
}
