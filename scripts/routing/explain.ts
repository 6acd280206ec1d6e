/**
 * Routing decisions and their reasons on real traffic shapes, for looking at
 * why the router picks a tier. Prints one JSON line: tier counts and the
 * first --show decisions (tier, the text it read, reason).
 *
 *   npx tsx scripts/routing/explain.ts --agent /work/shared/data/agent-traces-dev.json [--runs 60] [--show 20]
 *     every assistant turn of each run, asked with the history so far (as an agent sends it;
 *     the traces carry no tool list, --tools offers their tool names as tools)
 *   npx tsx scripts/routing/explain.ts --questions /work/shared/data/cache-pairs-dev.jsonl [--n 400] [--show 20]
 *     each pair's `a` as a one-turn question under a short help-centre system prompt
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Catalog, type Tier } from '../../shared/core/catalog/catalog';
import type { ChatMessage, ChatRequest, ToolDefinition } from '../../shared/core/chat-model';
import { routerDefaultsFromEnv } from '../../shared/levers/routing/policy';
import { ComplexityRouter } from '../../shared/levers/routing/router';
import { encoderForTraining } from './training-encoder';

const { values } = parseArgs({
  options: {
    agent: { type: 'string' },
    questions: { type: 'string' },
    runs: { type: 'string', default: '60' },
    n: { type: 'string', default: '400' },
    show: { type: 'string', default: '20' },
    tools: { type: 'boolean', default: false },
  },
});
if (!values.agent === !values.questions) throw new Error('give exactly one of --agent FILE or --questions FILE');

const router = ComplexityRouter.load(Catalog.load(), { ...routerDefaultsFromEnv(process.env), encoder: process.env.PARSIMONY_ROUTER_ENCODER === 'off' ? undefined : encoderForTraining() });
let oodFired = 0;
const show = Number(values.show);
const counts: Record<Tier, number> = { small: 0, mid: 0, frontier: 0 };
const examples: { tier: Tier; last: string; reason: string }[] = [];
const text = (s: string) => [{ type: 'text' as const, text: s }];

function route(request: ChatRequest, last: string): void {
  const d = router.decide({ request, requestedModel: 'auto' });
  counts[d.tier]++;
  if (d.ood) oodFired++;
  if (examples.length < show) examples.push({ tier: d.tier, last: last.slice(0, 160), reason: d.reason });
}

type TraceMessage = { role: string; content?: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string };

if (values.agent) {
  const runs = JSON.parse(readFileSync(values.agent, 'utf8')) as { messages: TraceMessage[] }[];
  for (const run of runs.slice(0, Number(values.runs))) {
    const names = [...new Set(run.messages.flatMap((m) => m.tool_calls?.map((c) => c.function.name) ?? []))];
    const tools: ToolDefinition[] = names.map((name) => ({ name, parameters: { type: 'object', properties: {} } }));
    run.messages.forEach((m, i) => {
      if (m.role !== 'assistant') return;
      const history = run.messages.slice(0, i);
      if (!history.some((h) => h.role === 'user')) return;
      const system = history.filter((h) => h.role === 'system').flatMap((h) => text(h.content ?? ''));
      const messages: ChatMessage[] = history
        .filter((h) => h.role !== 'system')
        .map((h): ChatMessage => {
          if (h.role === 'tool') return { role: 'tool', tool_call_id: h.tool_call_id ?? '', content: h.content ?? '' };
          if (h.role === 'assistant')
            return {
              role: 'assistant',
              content: h.content ? text(h.content) : [],
              ...(h.tool_calls?.length ? { tool_calls: h.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })) } : {}),
            };
          return { role: 'user', content: text(h.content ?? '') };
        });
      const last = history[history.length - 1];
      route({ model: 'auto', system, messages, sampling: {}, ...(values.tools && tools.length ? { tools } : {}) }, `${last.role}: ${last.content ?? ''}`);
    });
  }
} else {
  const system = text("You are the help-centre assistant of a questions-and-answers site. Answer the user's question in two or three sentences.");
  const rows = readFileSync(values.questions!, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, Number(values.n));
  for (const row of rows) {
    const q = String((JSON.parse(row) as { a: string }).a);
    route({ model: 'auto', system, messages: [{ role: 'user', content: text(q) }], sampling: { max_tokens: 120 } }, q);
  }
}
process.stdout.write(`${JSON.stringify({ counts, ood_fired: oodFired, examples })}\n`);
