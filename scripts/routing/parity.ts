/**
 * Decision parity between two versions of the router (a check for speed work: a faster router must decide
 * exactly as the old one did). Extracts `shared/` of a git ref into a temp dir, loads that ref's router and
 * word-vector embedder next to the working tree's, and replays the dev data through both:
 *   npx tsx scripts/routing/parity.ts --base <git ref> [--data /work/shared/data]
 * Requests: every MMLU dev row, every MT-Bench conversation prefix, the team's task examples (with their
 * system prompt, tools and response format, with and without their task hint), cache-pair and paraphrase
 * texts as one-turn questions, every assistant step of the agent traces (with and without their tools),
 * and generated long prompts; some of them again under policy variants (fixed shares, caps, floors,
 * feedback raises, another provider). Compared: the whole decision (model, tier, score bit for bit,
 * reason, task, effort, OOD evidence), the raw score, the features with their names (the training path), and the embedder's vector bit for bit (on the
 * router's embedded text and on the full texts). Prints one JSON line; exits 1 on any difference.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type * as CatalogModule from '../../shared/core/catalog/catalog';
import type { ChatMessage, ChatRequest, ToolDefinition } from '../../shared/core/chat-model';
import type * as FeaturesModule from '../../shared/levers/routing/features';
import type * as EmbedderModule from '../../shared/levers/cache/embedders/word-vector-embedder';
import type * as SummaryModule from '../../shared/levers/routing/request-summary';
import type * as RouterModule from '../../shared/levers/routing/router';
import type * as EncoderModule from '../../shared/levers/routing/sentence-encoder';
import { readJsonl, ReplayRowSchema, requestFromPrompt, requestFromTurns, TaskRowSchema } from './datasets';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    data: { type: 'string', default: '/work/shared/data' },
    // Where both embedders read the converted vector file (the same file for both: only the code differs).
    'vectors-dir': { type: 'string', default: join(process.env.PARSIMONY_DATA_DIR ?? join(tmpdir(), 'parsimony-routing'), 'embeddings') },
  },
});
if (!values.base) throw new Error('give --base <git ref> (the version to compare the working tree with)');

const repo = resolve(__dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'parsimony-parity-'));
execFileSync('sh', ['-c', `git -C "${repo}" archive "${values.base}" shared | tar -x -C "${work}"`]);
symlinkSync(join(repo, 'node_modules'), join(work, 'node_modules'));

interface RouterLike {
  decide(input: object): object;
  score(request: ChatRequest): { score: number; format: string };
  readonly usesEncoder: boolean;
}
interface Side {
  router: RouterLike;
  embed(text: string): Float32Array;
  encoderText(request: ChatRequest): string;
  /** The training path: every feature with its name (JSON). */
  features(request: ChatRequest): string;
}

/** One version's router (with its own embedder code over the shared vector file). */
function load(root: string): Side {
  /* eslint-disable @typescript-eslint/no-require-imports -- the two versions are loaded by path at run time */
  const { Catalog } = require(join(root, 'shared/core/catalog/catalog')) as typeof CatalogModule;
  const { ComplexityRouter } = require(join(root, 'shared/levers/routing/router')) as typeof RouterModule;
  const { WordVectorEmbedder } = require(join(root, 'shared/levers/cache/embedders/word-vector-embedder')) as typeof EmbedderModule;
  const { encoderText } = require(join(root, 'shared/levers/routing/sentence-encoder')) as typeof EncoderModule;
  const { summarizeRequest } = require(join(root, 'shared/levers/routing/request-summary')) as typeof SummaryModule;
  const { extractFeatures } = require(join(root, 'shared/levers/routing/features')) as typeof FeaturesModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const encoder = WordVectorEmbedder.load({ dataDir: values['vectors-dir'] });
  const router = ComplexityRouter.load(Catalog.load(), { encoder });
  return { router, embed: (t) => encoder.embedSync(t), encoderText: (r) => encoderText(summarizeRequest(r)), features: (r) => JSON.stringify(extractFeatures(summarizeRequest(r), 18, true)) };
}

const text = (s: string) => [{ type: 'text' as const, text: s }];
const requests: Array<{ kind: string; request: ChatRequest; task?: string }> = [];
const data = (f: string) => join(values.data!, f);

for (const r of readJsonl(data('routing-mmlu-dev.jsonl'), ReplayRowSchema)) requests.push({ kind: 'mmlu', request: requestFromPrompt(r.prompt) });
for (const r of readJsonl(data('tasks-mtbench.jsonl'), TaskRowSchema)) r.turns!.forEach((_, i) => requests.push({ kind: 'mtbench', request: requestFromTurns(r.turns!, i) }));
for (const r of readJsonl(join(repo, 'scripts/routing/examples/task-examples.jsonl'), TaskRowSchema)) {
  const request = r.turns ? requestFromTurns(r.turns, r.turns.length - 1) : requestFromPrompt(r.prompt!, r);
  requests.push({ kind: 'examples', request }, { kind: 'examples-hinted', request, task: r.task });
}
const questionSystem = text("You are the help-centre assistant of a questions-and-answers site. Answer the user's question in two or three sentences.");
for (const file of ['cache-pairs-dev.jsonl', 'cache-paraphrase-dev.jsonl']) {
  if (!existsSync(data(file))) continue;
  for (const line of readFileSync(data(file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())) {
    const row = JSON.parse(line) as { a: string; b: string };
    for (const q of [row.a, row.b])
      requests.push({ kind: 'questions', request: { model: 'auto', system: questionSystem, messages: [{ role: 'user', content: text(String(q)) }], sampling: { max_tokens: 120 } } });
  }
}
type TraceMessage = { role: string; content?: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string };
if (existsSync(data('agent-traces-dev.json'))) {
  for (const run of JSON.parse(readFileSync(data('agent-traces-dev.json'), 'utf8')) as { messages: TraceMessage[] }[]) {
    const names = [...new Set(run.messages.flatMap((m) => m.tool_calls?.map((c) => c.function.name) ?? []))];
    const tools: ToolDefinition[] = names.map((name) => ({ name, parameters: { type: 'object', properties: {} } }));
    run.messages.forEach((m, i) => {
      const history = run.messages.slice(0, i);
      if (m.role !== 'assistant' || !history.some((h) => h.role === 'user')) return;
      const system = history.filter((h) => h.role === 'system').flatMap((h) => text(h.content ?? ''));
      const messages = history
        .filter((h) => h.role !== 'system')
        .map((h): ChatMessage => {
          if (h.role === 'tool') return { role: 'tool', tool_call_id: h.tool_call_id ?? '', content: h.content ?? '' };
          if (h.role === 'assistant') {
            const calls = h.tool_calls?.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
            return { role: 'assistant', content: h.content ? text(h.content) : [], ...(calls?.length ? { tool_calls: calls } : {}) };
          }
          return { role: 'user', content: text(h.content ?? '') };
        });
      requests.push({ kind: 'agent', request: { model: 'auto', system, messages, sampling: {} } });
      if (tools.length) requests.push({ kind: 'agent-tools', request: { model: 'auto', system, messages, sampling: {}, tools } });
    });
  }
}
const paragraph = 'The committee reviewed the quarterly figures, noted a 4.5% rise in costs, and asked for a plan to reduce them by 10% before June. ';
for (let i = 0; i < 40; i++) requests.push({ kind: 'long', request: requestFromPrompt(`${paragraph.repeat(10 + i * 15)}\nSummarize the above and propose three options.`) });
// Texts the dev data lacks: other scripts, marks, lone surrogates, contractions, numbers, names, emoji.
const odd = [
  "Don't you think Zhytomyr's naïve café can't beat Łódź?",
  'Écris une lettre à ma grand-mère',
  '東京の天気は？ 明日は雨ですか',
  "\u0301\u0301 n't x'y ’tis",
  'a\ud800b \udfff',
  '3.14159 1,000,000 42nd 7th 1990s',
  'Hello!! 👋🏽 ok',
  'Привет, как дела?',
  '',
];
for (const q of odd) requests.push({ kind: 'odd', request: requestFromPrompt(q) });

const variants: Array<{ name: string; extra: object }> = [
  { name: 'share-0.3', extra: { frontierShare: 0.3, smallShare: 0.4 } },
  { name: 'caps', extra: { maxTier: 'mid', minTier: 'small', floorTier: 'mid' } },
  { name: 'policy', extra: { policy: { qualityTarget: 0.95, provider: 'anthropic', openTaskFloor: 'mid' } } },
  { name: 'raises', extra: { raises: { unspecified: 0.5, reason: 0.7, tool_select: 0.2, classify: 0.4 } } },
];

const oldSide = load(work);
const newSide = load(repo);
if (!oldSide.router.usesEncoder || !newSide.router.usesEncoder) throw new Error('both routers must use the encoder (the vector file did not load?)');

const sameBits = (a: Float32Array, b: Float32Array) => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const differences: object[] = [];
const byKind: Record<string, number> = {};
let decisions = 0;
let embeddings = 0;
for (const [i, { kind, request, task }] of requests.entries()) {
  byKind[kind] = (byKind[kind] ?? 0) + 1;
  const inputs = [{ name: 'default', extra: {} }, ...(i % 7 === 0 ? variants : [])];
  for (const { name, extra } of inputs) {
    const input = { request, requestedModel: 'auto', task, ...extra };
    const a = JSON.stringify(oldSide.router.decide(input));
    const b = JSON.stringify(newSide.router.decide(input));
    decisions++;
    if (a !== b) differences.push({ kind, i, variant: name, old: a, new: b });
  }
  if (oldSide.router.score(request).score !== newSide.router.score(request).score) differences.push({ kind, i, what: 'score' });
  if (oldSide.features(request) !== newSide.features(request)) differences.push({ kind, i, what: 'features' });
  const embedded = oldSide.encoderText(request);
  if (embedded !== newSide.encoderText(request)) differences.push({ kind, i, what: 'encoder text' });
  const whole = request.messages.map((m) => (m.role === 'tool' ? m.content : m.content.map((p) => (p.type === 'text' ? p.text : '')).join(''))).join('\n');
  for (const t of [embedded, whole]) {
    embeddings++;
    if (!sameBits(oldSide.embed(t), newSide.embed(t))) differences.push({ kind, i, what: 'embedding', text: t.slice(0, 80) });
  }
}
rmSync(work, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ base: values.base, requests: requests.length, by_kind: byKind, decisions, embeddings, differences: differences.length, first: differences.slice(0, 5) })}\n`);
process.exitCode = differences.length ? 1 : 0;
