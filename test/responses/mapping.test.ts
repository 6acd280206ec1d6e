import type { ChatResponse, StreamEvent } from '../../shared/core/chat-model';
import { parseResponsesRequest } from '../../shared/surfaces/responses/definition';
import { chatResponseToResponse } from '../../shared/surfaces/responses/from-internal';
import { decodeReasoning, encodeReasoning } from '../../shared/surfaces/responses/reasoning-envelope';
import { ResponsesStreamEncoder } from '../../shared/surfaces/responses/stream-encoder';
import { ZodError } from 'zod';

const parse = (body: unknown) => parseResponsesRequest(body, { tenant: 't' });

function answer(extra: Partial<ChatResponse> = {}): ChatResponse {
  return {
    id: 'x',
    model: 'm',
    content: 'Hello there.',
    tool_calls: [],
    finish_reason: 'stop',
    usage: { input_tokens: 10, output_tokens: 5, cached_input_tokens: 4, cache_write_tokens: 0, reasoning_tokens: 2 },
    created: 1,
    ...extra,
  };
}

describe('Responses body → internal request', () => {
  test('items: developer text joins the system prompt; reasoning, message and calls make one assistant turn', async () => {
    const { request } = await parse({
      model: 'gpt-4.1-mini',
      instructions: 'Be brief.',
      input: [
        { role: 'developer', content: 'Use metric units.' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Weather?' },
            { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto' },
          ],
        },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'think' }], encrypted_content: 'blob' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.', annotations: [] }], status: 'completed', id: 'msg_1' },
        { type: 'function_call', call_id: 'call_1', name: 'w', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: [{ type: 'input_text', text: '20 C' }] },
      ],
    });
    expect(request.system.map((p) => p.text)).toEqual(['Be brief.', 'Use metric units.']);
    expect(request.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(request.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'Weather?' },
        { type: 'image', url: 'https://example.com/a.png' },
      ],
    });
    expect(request.messages[1]).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'Checking.' }],
      tool_calls: [{ id: 'call_1', name: 'w', arguments: '{}' }],
      reasoning: [{ type: 'reasoning', text: 'think', provider: 'openai', id: 'rs_1', encrypted: 'blob' }],
    });
    expect(request.messages[2]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: '20 C' });
  });

  test('levers and options: format, reasoning, tool choice, compaction, OpenAI-only fields', async () => {
    const { request, echo } = await parse({
      model: 'auto',
      input: 'x',
      text: { format: { type: 'json_schema', name: 'a', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
      reasoning: { effort: 'max', summary: 'concise' },
      tools: [
        { type: 'function', name: 'a', parameters: { type: 'object' } },
        { type: 'function', name: 'b', parameters: null },
      ],
      tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'b' }] },
      context_management: [{ type: 'compaction', compact_threshold: 50_000 }],
      safety_identifier: 'u',
      prompt_cache_retention: '24h',
      max_output_tokens: 99,
      service_tier: 'flex',
      top_logprobs: 3,
    });
    expect(request.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object' }, strict: true } });
    expect(request.verbosity).toBe('low');
    expect(request.reasoning).toEqual({ effort: 'xhigh', summary: 'concise' });
    expect(request.tools!.map((t) => t.name)).toEqual(['b']);
    expect(request.tool_choice).toBe('required');
    expect(request.context_management).toEqual({ edits: [{ type: 'compact_20260112', trigger: { type: 'input_tokens', value: 50_000 } }] });
    expect(request.provider_options).toEqual({ openai: { safety_identifier: 'u', prompt_cache_retention: '24h' } });
    expect(request.sampling.max_tokens).toBe(99);
    expect(request.service_tier).toBe('flex');
    expect(request.logprobs).toEqual({ top_logprobs: 3 });
    expect(echo.store).toBe(true);
  });

  test('top_logprobs 0 (the API default) asks for no logprobs; the include entry does', async () => {
    expect((await parse({ model: 'm', input: 'x', top_logprobs: 0 })).request.logprobs).toBeUndefined();
    expect((await parse({ model: 'm', input: 'x', include: ['message.output_text.logprobs'] })).request.logprobs).toEqual({});
  });

  test.each([
    [{ tools: [{ type: 'mcp', server_label: 'x' }] }, /tools\.0: tool type "mcp".*MCP/],
    [{ tools: [{ type: 'computer_use_preview', display_width: 1 }] }, /computer use/],
    [{ tool_choice: { type: 'web_search_preview' } }, /tool_choice type "web_search_preview"/],
    [{ conversation: 'conv_1' }, /^conversation: .*previous_response_id/],
    [{ prompt: { id: 'pmpt_1' } }, /^prompt: /],
    [{ input: [{ type: 'web_search_call', id: 'ws_1' }] }, /input\.0: input item type "web_search_call"/],
    [{ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }, /input\.0\.content\.0: input_file/],
  ])('refused with the field named: %j', async (extra, message) => {
    const err = await parse({ model: 'gpt-4.1-mini', input: 'x', ...extra }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZodError);
    const issue = (err as ZodError).issues[0];
    expect(`${issue.path.join('.')}: ${issue.message}`).toMatch(message);
  });

  test('a function_call_output for an unknown call and previous_response_id without a store are 400s', async () => {
    await expect(parse({ model: 'm', input: [{ type: 'function_call_output', call_id: 'c9', output: 'x' }] })).rejects.toMatchObject({ status: 400 });
    await expect(parse({ model: 'm', input: 'x', previous_response_id: 'resp_1' })).rejects.toMatchObject({ status: 400 });
  });
});

describe('internal answer → Response', () => {
  test('usage details, incomplete on length, output order', () => {
    const r = chatResponseToResponse(answer({ finish_reason: 'length', tool_calls: [{ id: 'call_9', name: 'f', arguments: '{}' }] }), 'job_abc', 'gpt-4.1-mini');
    expect(r.status).toBe('incomplete');
    expect(r.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(r.output.map((o) => o.type)).toEqual(['message', 'function_call']);
    expect(r.output[1]).toMatchObject({ id: 'fc_abc_0', call_id: 'call_9' });
    expect(r.usage).toEqual({
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 4, cache_write_tokens: 0 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 2 },
      total_tokens: 15,
    });
  });

  test("another provider's thinking travels in encrypted_content and comes back with its signature", () => {
    const part = { type: 'reasoning' as const, text: 'hmm', signature: 'sig-1', provider: 'anthropic' };
    const r = chatResponseToResponse(answer({ reasoning: [part] }), 'job_abc', 'claude-haiku-4-5');
    const item = r.output[0] as { type: string; encrypted_content?: string; summary: { text: string }[]; id: string };
    expect(item.type).toBe('reasoning');
    expect(item.summary[0].text).toBe('hmm');
    expect(decodeReasoning({ id: item.id, text: 'hmm', encrypted_content: item.encrypted_content })).toEqual({ ...part, id: 'rs_abc_0' });
    // OpenAI's own encrypted content is returned only when included, and is passed through untouched.
    expect(encodeReasoning({ type: 'reasoning', text: '', encrypted: 'gAAA', provider: 'openai' })).toBe('gAAA');
    expect(chatResponseToResponse(answer({ reasoning: [{ type: 'reasoning', text: '', encrypted: 'gAAA', provider: 'openai' }] }), 'job_abc', 'm').output[0]).not.toHaveProperty('encrypted_content');
  });
});

describe('stream encoder', () => {
  test('reasoning, text and two calls: numbered events whose items match the final response', () => {
    const final = answer({
      reasoning: [{ type: 'reasoning', text: 'ab', provider: 'openai' }],
      content: 'Hi!',
      tool_calls: [
        { id: 'c1', name: 'f', arguments: '{"a":1}' },
        { id: 'c2', name: 'g', arguments: '{}' },
      ],
    });
    const events: StreamEvent[] = [
      { type: 'reasoning', text: 'a' },
      { type: 'reasoning', text: 'b' },
      { type: 'reasoning_done', part: { type: 'reasoning', text: 'ab', provider: 'openai' } },
      { type: 'text', text: 'Hi' },
      { type: 'text', text: '!' },
      { type: 'tool_call_start', index: 0, id: 'c1', name: 'f' },
      { type: 'tool_call_args', index: 0, arguments: '{"a":' },
      { type: 'tool_call_args', index: 0, arguments: '1}' },
      { type: 'tool_call_start', index: 1, id: 'c2', name: 'g' },
      { type: 'tool_call_args', index: 1, arguments: '{}' },
      { type: 'done', response: final },
    ];
    const encoder = new ResponsesStreamEncoder('job_abc', 'gpt-5', 1, {});
    const out = [...encoder.start(), ...events.flatMap((e) => encoder.encode(e))];
    expect(out.map((e) => e.sequence_number)).toEqual(out.map((_, i) => i));
    expect(out.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const done = out.filter((e) => e.type === 'response.output_item.done').map((e) => e.item);
    const completed = out[out.length - 1].response as { output: unknown[]; id: string };
    expect(completed.id).toBe('resp_abc');
    expect(done).toEqual(completed.output);
  });

  test('fail() ends a started stream with error and response.failed', () => {
    const encoder = new ResponsesStreamEncoder('job_abc', 'm', 1, {});
    encoder.start();
    const [error, failed] = encoder.fail('provider_error', 'boom');
    expect(error).toEqual({ type: 'error', sequence_number: 2, code: 'provider_error', message: 'boom', param: null });
    expect(failed).toMatchObject({ type: 'response.failed', sequence_number: 3, response: { status: 'failed', error: { code: 'provider_error', message: 'boom' } } });
  });
});
