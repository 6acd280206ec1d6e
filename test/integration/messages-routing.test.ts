import type Anthropic from '@anthropic-ai/sdk';
import { startTestParsimony, type TestParsimony } from '../helpers/parsimony';

/**
 * A Messages agent routed to an OpenAI model and back: the Anthropic SDK
 * speaks Messages, `model: "auto"` lets Parsimony route (the catalog's auto
 * provider is OpenAI), and every turn — tool calls, tool results, images,
 * JSON output, streaming — must survive the translation both ways.
 */
let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('messages-routing');
}, 120_000);
afterAll(async () => {
  await p?.close();
});

const tools: Anthropic.Tool[] = [
  { name: 'search_orders', description: 'Find a customer’s orders', input_schema: { type: 'object', properties: { customer: { type: 'string' } }, required: ['customer'] } },
  { name: 'refund_order', description: 'Refund one order', input_schema: { type: 'object', properties: { order_id: { type: 'string' }, reason: { type: 'string' } }, required: ['order_id'] } },
];

async function job(id: string | null) {
  const res = await p.http(`/v1/jobs/${id}`);
  expect(res.status).toBe(200);
  return res.json();
}

describe('a Messages agent chain answered by an OpenAI model', () => {
  test('several tool cycles: tool_use out, tool_result back, every job routed to OpenAI and shown as a Message', async () => {
    const client = p.anthropic();
    const messages: Anthropic.MessageParam[] = [];
    const jobIds: string[] = [];
    const asks = ['Customer ACME-42 wants a refund. Look up their orders.', 'Now refund order ORD-981 for ACME-42, reason damaged.', 'Check the orders of ACME-42 again to confirm.'];
    let toolCycles = 0;
    for (const ask of asks) {
      messages.push({ role: 'user', content: ask });
      // One agent step: the model calls a tool, gets the result, answers with text.
      for (let step = 0; step < 2; step++) {
        const { data, response } = await client.messages
          .create({ model: 'auto', max_tokens: 400, system: 'You are a support agent. Use the tools.', tools, tool_choice: step === 0 ? { type: 'any' } : { type: 'auto' }, messages })
          .withResponse();
        jobIds.push(response.headers.get('x-parsimony-job-id')!);
        expect(data.type).toBe('message');
        expect(data.model).toMatch(/^gpt-/);
        messages.push({ role: 'assistant', content: data.content });
        const calls = data.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
        if (step === 1) {
          expect(data.stop_reason).toBe('end_turn');
          expect(calls).toHaveLength(0);
          expect(data.content.some((b) => b.type === 'text')).toBe(true);
          break;
        }
        expect(data.stop_reason).toBe('tool_use');
        expect(calls.length).toBeGreaterThan(0);
        for (const call of calls) {
          expect(['search_orders', 'refund_order']).toContain(call.name);
          expect(call.id.length).toBeGreaterThan(0);
          expect(typeof call.input).toBe('object');
        }
        toolCycles += 1;
        messages.push({
          role: 'user',
          content: calls.map((c, i) => ({
            type: 'tool_result' as const,
            tool_use_id: c.id,
            content: i === 0 ? `ok: ${JSON.stringify(c.input)}` : [{ type: 'text' as const, text: 'done' }],
            is_error: false,
          })),
        });
      }
    }
    expect(toolCycles).toBe(3);
    expect(jobIds).toHaveLength(6);

    for (const id of jobIds) {
      const record = await job(id);
      expect(record.status).toBe('completed');
      expect(record.route.provider).toBe('openai');
      expect(record.response.type).toBe('message');
      expect(record.response.id).toBe(`msg_${id.replace(/^job_/, '')}`);
      expect(record.cost.baseline_usd).toBeGreaterThan(0);
    }
    // The OpenAI simulator validates every tool message against an earlier tool call, as OpenAI does: a chain that got
    // here translated each tool_use / tool_result pair faithfully. The last job saw the whole conversation.
    const last = await job(jobIds[jobIds.length - 1]);
    expect(last.usage.input_tokens).toBeGreaterThan((await job(jobIds[0])).usage.input_tokens);

    const savings = await (await p.http('/v1/savings')).json();
    expect(savings.requests).toBeGreaterThanOrEqual(jobIds.length);
    expect(savings.baseline_usd).toBeGreaterThan(0);
  });

  test('streamed through an OpenAI model: the Messages events and a final message with tool_use', async () => {
    const stream = p.anthropic().messages.stream({
      model: 'auto',
      max_tokens: 300,
      tools,
      tool_choice: { type: 'tool', name: 'search_orders' },
      messages: [{ role: 'user', content: 'Find the orders of customer BETA-7.' }],
    });
    const types: string[] = [];
    stream.on('streamEvent', (e) => types.push(e.type === 'content_block_delta' ? e.delta.type : e.type));
    const final = await stream.finalMessage();
    expect(types[0]).toBe('message_start');
    expect(types).toContain('input_json_delta');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(final.stop_reason).toBe('tool_use');
    const call = final.content.find((b) => b.type === 'tool_use') as Anthropic.ToolUseBlock;
    expect(call.name).toBe('search_orders');
    expect(call.input).toHaveProperty('customer');
    expect(final.usage.input_tokens).toBeGreaterThan(0);
  });

  test('images and JSON output cross to OpenAI: a base64 image is accepted, output_config.format answers JSON matching the schema', async () => {
    const pixel = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const message = await p.anthropic().messages.create({
      model: 'auto',
      max_tokens: 300,
      output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { colour: { type: 'string' } }, required: ['colour'], additionalProperties: false } } },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: pixel } },
            { type: 'text', text: 'What colour is this pixel?' },
          ],
        },
      ],
    });
    expect(message.model).toMatch(/^gpt-/);
    const text = message.content.find((b) => b.type === 'text') as Anthropic.TextBlock;
    expect(JSON.parse(text.text)).toHaveProperty('colour');
  });

  test('an explicit model is never rerouted', async () => {
    const { response } = await p
      .anthropic()
      .messages.create({ model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: 'hello' }] })
      .withResponse();
    const record = await job(response.headers.get('x-parsimony-job-id'));
    expect(record.route).toMatchObject({ model: 'claude-sonnet-4-6', provider: 'anthropic', reason: expect.stringMatching(/explicit/) });
  });
});
