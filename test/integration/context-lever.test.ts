import type OpenAI from 'openai';
import { startTestParsimony, type TestParsimony } from '../helpers/parsimony';

let p: TestParsimony;
beforeAll(async () => {
  // The schedule alone (cost model off): this file checks the compaction path end to end; whether a step pays is
  // test/context/cost-model.test.ts's subject (on these short prompts it often would not).
  p = await startTestParsimony('context', { PARSIMONY_CONTEXT_POLICY: JSON.stringify({ costModel: false }) });
}, 120_000);
afterAll(async () => {
  await p.close();
});

const lookupTool = {
  type: 'function' as const,
  function: { name: 'lookup_order', description: 'Find an order', parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] } },
};

/** An agent conversation with `cycles` tool calls, each answered by a bulky tool result. */
function agentConversation(cycles: number): OpenAI.ChatCompletionMessageParam[] {
  const messages: OpenAI.ChatCompletionMessageParam[] = [
    { role: 'system', content: 'You are an order-support agent. Use tools to look up orders.' },
    { role: 'user', content: 'Check orders ORD-1001 to ORD-1010 and tell me which ones shipped late.' },
  ];
  for (let i = 1; i <= cycles; i++) {
    const id = `call_${i}`;
    messages.push({ role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'lookup_order', arguments: JSON.stringify({ order_id: `ORD-${1000 + i}` }) } }] });
    const rows = Array.from({ length: 40 }, (_, r) => `line ${r}: sku SKU-${i}${r} qty ${r + 1} price ${(r * 3.5).toFixed(2)} warehouse W${r % 4}`).join('\n');
    messages.push({ role: 'tool', tool_call_id: id, content: `order ORD-${1000 + i} shipped 2026-03-${String(i).padStart(2, '0')}, expected 2026-03-0${(i % 9) + 1}\n${rows}` });
  }
  return messages;
}

async function send(messages: OpenAI.ChatCompletionMessageParam[]) {
  // The cache is off here: this file measures compaction, and a cached answer would skip it.
  const body = { model: 'gpt-4.1-mini', messages, tools: [lookupTool], parsimony: { cache: { mode: 'off' } } };
  const { response } = await p
    .openai()
    .chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming)
    .withResponse();
  return (await p.http(`/v1/jobs/${response.headers.get('x-parsimony-job-id')}`)).json();
}

test('an agent chain past the window is compacted, cheaper, and the saving is on the job', async () => {
  const job = await send(agentConversation(6));
  expect(job.status).toBe('completed');
  expect(job.context.compacted_cycles).toBeGreaterThan(0);
  expect(job.context.tokens_after).toBeLessThan(job.context.tokens_before);
  expect(job.cost.by_lever.context).toBeGreaterThan(0);
  // What the provider was sent is what the job was charged for: fewer input tokens than the raw history.
  expect(job.usage.input_tokens).toBeLessThan(job.context.tokens_before);
});

test('a short conversation is left alone', async () => {
  const job = await send(agentConversation(1));
  expect(job.context?.compacted_cycles ?? 0).toBe(0);
  expect(job.cost.by_lever.context).toBe(0);
});

test('the next call with the same prefix reuses the stored summary (no second summariser call)', async () => {
  await send(agentConversation(8));
  const before = p.sim.stats().chat_calls;
  const job = await send(agentConversation(8));
  expect(job.context.summary_reused).toBe(true);
  // Exactly one provider call: the answer itself, no summarisation.
  expect(p.sim.stats().chat_calls - before).toBe(1);
});
