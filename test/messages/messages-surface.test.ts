import type { ChatResponse } from '../../shared/core/chat-model';
import { reasoningToThinking } from '../../shared/providers/anthropic/thinking';
import { budgetForEffort, effortForBudget } from '../../shared/core/catalog/reasoning-effort';
import { chatRequestToAnthropicParams } from '../../shared/providers/anthropic/to-anthropic';
import { ZodError } from 'zod';
import type { ModelEntry } from '../../shared/core/catalog/catalog';
import { apiErrorToAnthropic, formatMessagesZodError, jobErrorToAnthropic } from '../../shared/surfaces/messages/errors';
import { chatResponseToMessage } from '../../shared/surfaces/messages/from-internal';
import { anthropicModelPage, displayName } from '../../shared/surfaces/messages/models-page';
import { MessagesBodySchema } from '../../shared/surfaces/messages/request-schema';
import { MessagesStreamEncoder } from '../../shared/surfaces/messages/stream-encoder';
import { messagesBodyToChatRequest, withAnthropicHeaders } from '../../shared/surfaces/messages/to-internal';
import { ApiError } from '../../shared/core/errors/api-error';

const BUDGET_MODEL: Pick<ModelEntry, 'reasoning'> = { reasoning: { efforts: ['none', 'low', 'medium', 'high', 'xhigh'], default_effort: 'medium', budget_tokens: true } };
const EFFORT_MODEL: Pick<ModelEntry, 'reasoning'> = { reasoning: { efforts: ['low', 'medium', 'high'], default_effort: 'medium' } };
const CLAUDE = { id: 'claude-sonnet-4-6', max_output_tokens: 64000, ...BUDGET_MODEL };

/** The 400 message a caller would read for a body. */
function refusal(body: Record<string, unknown>): string {
  try {
    parse(body);
    return 'accepted';
  } catch (err) {
    return err instanceof ZodError ? formatMessagesZodError(err) : (err as Error).message;
  }
}

const parse = (body: Record<string, unknown>) => messagesBodyToChatRequest(MessagesBodySchema.parse({ model: 'auto', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }], ...body }));

describe('reasoning ↔ thinking', () => {
  test('effort → budget on budget models, kept below max_tokens and off when the cap is too small to think', () => {
    expect(reasoningToThinking({ effort: 'high' }, 64000, BUDGET_MODEL)).toEqual({ thinking: { type: 'enabled', budget_tokens: 24576 } });
    expect(reasoningToThinking({ effort: 'xhigh' }, 5000, BUDGET_MODEL)).toEqual({ thinking: { type: 'enabled', budget_tokens: 4999 } });
    expect(reasoningToThinking({ effort: 'low' }, 900, BUDGET_MODEL)).toEqual({});
    expect(reasoningToThinking({ effort: 'none' }, 9000, BUDGET_MODEL)).toEqual({ thinking: { type: 'disabled' } });
  });
  test('effort → budget → effort is the identity for every effort (the Anthropic and OpenAI sides share one convention)', () => {
    for (const effort of ['low', 'medium', 'high', 'xhigh', 'max'] as const) {
      const { thinking } = reasoningToThinking({ effort }, 1_000_000, BUDGET_MODEL);
      expect(effortForBudget((thinking as { budget_tokens: number }).budget_tokens)).toBe(effort);
      expect(effortForBudget(budgetForEffort(effort))).toBe(effort);
    }
  });
  test('effort → output_config.effort on effort models; nothing on models without reasoning; an explicit budget always', () => {
    expect(reasoningToThinking({ effort: 'high' }, 9000, EFFORT_MODEL)).toEqual({ output_config: { effort: 'high' } });
    expect(reasoningToThinking({ effort: 'xhigh' }, 9000, EFFORT_MODEL)).toEqual({});
    expect(reasoningToThinking({ effort: 'high' }, 9000, {})).toEqual({});
    expect(reasoningToThinking({ budget_tokens: 3000 }, 9000, {})).toEqual({ thinking: { type: 'enabled', budget_tokens: 3000 } });
  });

  test('OpenAI reasoning shown as a thinking block goes back to OpenAI, never to Anthropic', () => {
    const answer: ChatResponse = {
      id: 'r',
      model: 'gpt-5',
      created: 0,
      content: 'Yes.',
      tool_calls: [],
      finish_reason: 'stop',
      usage: { input_tokens: 10, output_tokens: 5, cached_input_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 3 },
      reasoning: [{ type: 'reasoning', text: 'thought', encrypted: 'gAAAA', provider: 'openai', id: 'rs_1' }],
    };
    const message = chatResponseToMessage(answer, 'msg_1', 'gpt-5');
    expect(message.content[0]).toMatchObject({ type: 'thinking', thinking: 'thought', signature: expect.stringMatching(/^parsimony\.r1\./) });
    const next = parse({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: message.content },
        { role: 'user', content: 'and?' },
      ],
    });
    const assistant = next.messages[1];
    expect(assistant.role === 'assistant' && assistant.reasoning).toEqual([{ type: 'reasoning', text: 'thought', encrypted: 'gAAAA', provider: 'openai', id: 'rs_1' }]);
    const wire = chatRequestToAnthropicParams(next, CLAUDE);
    expect(wire.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'Yes.' }] });
  });
});

describe('Messages request fields', () => {
  test('forwarded fields and fields newer than the SDK go to Anthropic verbatim; headers and betas too', () => {
    const request = withAnthropicHeaders(
      parse({ top_k: 5, inference_geo: 'eu', some_future_field: { a: 1 }, betas: ['b1'] }),
      (name) => ({ 'anthropic-version': '2023-06-01', 'anthropic-beta': 'b0' })[name],
    );
    expect(request.provider_options).toEqual({ anthropic: { top_k: 5, inference_geo: 'eu', some_future_field: { a: 1 } } });
    expect(request.provider_headers).toEqual({ anthropic: { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'b0,b1' } });
    const wire = chatRequestToAnthropicParams(request, CLAUDE) as unknown as Record<string, unknown>;
    expect(wire).toMatchObject({ top_k: 5, inference_geo: 'eu', some_future_field: { a: 1 } });
  });

  test('refused fields and blocks name themselves and say why; null is fine', () => {
    expect(refusal({ thread: { type: 'create' } })).toMatch(/^thread: not supported by Parsimony: server-held threads/);
    expect(refusal({ compaction: { type: 'auto' } })).toMatch(/^compaction: not supported/);
    expect(refusal({ mcp_servers: null, thread: null })).toBe('accepted');
    expect(refusal({ messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] })).toMatch(/^messages\.0\.content\.0: document blocks are not supported/);
    expect(refusal({ tools: [{ type: 'code_execution_20250825', name: 'code_execution' }] })).toMatch(/^tools\.0: tool type "code_execution_20250825" is an Anthropic server tool/);
    expect(refusal({ thinking: { type: 'enabled', budget_tokens: 2000 } })).toMatch(/^thinking\.budget_tokens: max_tokens must be greater than thinking.budget_tokens/);
    expect(refusal({ messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'x', name: 'n', input: {} }] }] })).toMatch(/tool_use blocks can only appear in assistant messages/);
  });

  test('thinking, tool_choice, service tier and output format map into the internal model', () => {
    const r = parse({
      thinking: { type: 'enabled', budget_tokens: 500 },
      tools: [{ name: 't', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      service_tier: 'standard_only',
      output_format: { type: 'json_schema', schema: { type: 'object' } },
      metadata: { user_id: 'u1' },
    });
    expect(r).toMatchObject({ reasoning: { budget_tokens: 500 }, tool_choice: 'required', parallel_tool_calls: false, service_tier: 'default', user: 'u1' });
    expect(r.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'output', schema: { type: 'object' }, strict: true } });
  });
});

describe('Messages errors and models', () => {
  test('Anthropic status codes and types', () => {
    expect(apiErrorToAnthropic(ApiError.unauthenticated())).toMatchObject({ status: 401, body: { type: 'error', error: { type: 'authentication_error' } } });
    expect(apiErrorToAnthropic(ApiError.tooLarge('x'))).toMatchObject({ status: 413, body: { error: { type: 'request_too_large' } } });
    expect(apiErrorToAnthropic(ApiError.unavailable('x'))).toMatchObject({ status: 529, body: { error: { type: 'overloaded_error' } } });
    expect(jobErrorToAnthropic({ type: 'provider_error', message: 'm', provider_status: 529 })).toMatchObject({ status: 529, body: { error: { type: 'overloaded_error' } } });
    expect(jobErrorToAnthropic({ type: 'provider_error', message: 'm', provider_status: 502 })).toMatchObject({ status: 500, body: { error: { type: 'api_error' } } });
    expect(jobErrorToAnthropic({ type: 'provider_error', message: 'm', provider_status: 429 })).toMatchObject({ status: 429, body: { error: { type: 'rate_limit_error' } } });
  });

  test('model pages: limit, after_id, before_id, has_more', () => {
    const models = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ type: 'model' as const, id, display_name: id, created_at: '2026-01-01T00:00:00.000Z' }));
    expect(anthropicModelPage(models, { limit: '2' })).toMatchObject({ has_more: true, first_id: 'a', last_id: 'b' });
    expect(anthropicModelPage(models, { limit: '2', after_id: 'd' })).toMatchObject({ has_more: false, first_id: 'e', last_id: 'e' });
    expect(anthropicModelPage(models, { limit: '2', before_id: 'd' })).toMatchObject({ has_more: true, first_id: 'b', last_id: 'c' });
    expect(() => anthropicModelPage(models, { limit: '0' })).toThrow(/limit/);
    expect(displayName('claude-haiku-4-5')).toBe('Claude Haiku 4.5');
    expect(displayName('gpt-4.1-mini')).toBe('GPT-4.1 mini');
  });

  test('the stream encoder closes one block before the next and ends with message_delta, message_stop', () => {
    const encoder = new MessagesStreamEncoder('msg_1', 'm');
    const names = [
      { type: 'reasoning' as const, text: 'hm' },
      { type: 'reasoning_done' as const, part: { type: 'reasoning' as const, text: 'hm', signature: 'sig', provider: 'anthropic' } },
      { type: 'text' as const, text: 'Hi' },
      { type: 'tool_call_start' as const, index: 0, id: 'toolu_1', name: 't' },
      { type: 'tool_call_args' as const, index: 0, arguments: '{}' },
    ].flatMap((e) => encoder.encode(e).map((f) => (f.event === 'content_block_delta' ? (f.data.delta as { type: string }).type : f.event)));
    expect(names).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'thinking_delta',
      'signature_delta',
      'content_block_stop',
      'content_block_start',
      'text_delta',
      'content_block_stop',
      'content_block_start',
      'input_json_delta',
    ]);
  });
});
