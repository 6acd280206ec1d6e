import { readFileSync } from 'node:fs';
import { buildFactsLedger } from '../../shared/context/facts-ledger';
import { estimateTokens, estimateMessagesTokens } from '../../shared/context/token-estimate';
import { ChatCompletionBodySchema } from '../../shared/messages/openai/request-schema';
import { openAIBodyToChatRequest } from '../../shared/messages/openai/to-internal';
const runs = JSON.parse(readFileSync('/work/shared/data/agent-traces-dev.json', 'utf8'));
let tot = 0, led = 0;
for (const [k, run] of runs.entries()) {
  if (run.messages.filter((m: any) => m.role === 'tool').length < 10) continue;
  const messages = run.messages.map((m: any) => (m.role === 'tool' ? { role: 'tool', tool_call_id: m.tool_call_id, content: m.content ?? '' } : m));
  const req = openAIBodyToChatRequest(ChatCompletionBodySchema.parse({ model: 'gpt-4.1', messages }));
  const span = req.messages.slice(1);
  const lines = buildFactsLedger(span, { detail: (process.argv[2] as any) ?? 'ids' });
  const t = estimateTokens(lines.join('\n'));
  tot += estimateMessagesTokens(span); led += t;
  if (k === +(process.argv[3] ?? -1)) console.log(lines.join('\n'));
}
console.log({ tot, led, ratio: led / tot });
