import { Catalog } from '../../shared/core/catalog/catalog';
import { effortForBudget, effortForModel } from '../../shared/core/catalog/reasoning-effort';
import type { ChatRequest } from '../../shared/core/chat-model';
import { chatRequestToOpenAIBody } from '../../shared/surfaces/chat-completions/from-internal';
import { ChatCompletionBodySchema } from '../../shared/surfaces/chat-completions/request-schema';
import { openAIBodyToChatRequest } from '../../shared/surfaces/chat-completions/to-internal';
import { openAICompletionToResponse } from '../../shared/providers/openai/completion-to-internal';

const catalog = Catalog.load();
const request = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'm', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], sampling: {}, ...extra });

describe('reasoning effort for a model', () => {
  const sol = catalog.get('gpt-5.6-sol');
  const nano = catalog.get('gpt-5.4-nano');
  test('an offered effort is kept; one the model lacks becomes the nearest, ties upwards', () => {
    expect(effortForModel(sol, { effort: 'high' })).toBe('high');
    expect(sol.reasoning!.efforts).not.toContain('minimal');
    expect(effortForModel(sol, { effort: 'minimal' })).toBe('low');
    expect(nano.reasoning!.efforts).not.toContain('max');
    expect(effortForModel(nano, { effort: 'max' })).toBe('xhigh');
  });
  test('a thinking budget becomes an effort; a model that does not reason gets none', () => {
    expect(effortForBudget(0)).toBe('none');
    expect(effortForBudget(2_000)).toBe('low');
    expect(effortForBudget(10_000)).toBe('medium');
    expect(effortForBudget(200_000)).toBe('max');
    expect(effortForModel(sol, { budget_tokens: 10_000 })).toBe('medium');
    expect(effortForModel(catalog.get('gpt-4.1'), { effort: 'high' })).toBeUndefined();
    expect(effortForModel(sol, undefined)).toBeUndefined();
  });
});

describe('chat completions body → internal → OpenAI body', () => {
  const parse = (body: Record<string, unknown>) => openAIBodyToChatRequest(ChatCompletionBodySchema.parse({ model: 'gpt-5.6-terra', messages: [{ role: 'user', content: 'hi' }], ...body }));

  test('current fields map into the internal model and out to OpenAI, OpenAI-only ones verbatim', () => {
    const internal = parse({
      n: 3,
      logprobs: true,
      top_logprobs: 4,
      reasoning_effort: 'xhigh',
      verbosity: 'high',
      service_tier: 'flex',
      logit_bias: { '1': 5 },
      safety_identifier: 's1',
      prediction: { type: 'content', content: 'x' },
    });
    expect(internal).toMatchObject({ n: 3, logprobs: { top_logprobs: 4 }, reasoning: { effort: 'xhigh' }, verbosity: 'high', service_tier: 'flex' });
    expect(internal.provider_options).toEqual({ openai: { logit_bias: { '1': 5 }, safety_identifier: 's1', prediction: { type: 'content', content: 'x' } } });
    const body = chatRequestToOpenAIBody(internal, 'gpt-5.6-terra', catalog.get('gpt-5.6-terra'));
    expect(body).toMatchObject({ n: 3, logprobs: true, top_logprobs: 4, reasoning_effort: 'xhigh', verbosity: 'high', service_tier: 'flex', logit_bias: { '1': 5 }, safety_identifier: 's1' });
    // To a model that does not reason: no reasoning_effort, no verbosity.
    const plain = chatRequestToOpenAIBody(internal, 'gpt-4.1', catalog.get('gpt-4.1'));
    expect(plain.reasoning_effort).toBeUndefined();
    expect(plain.verbosity).toBeUndefined();
  });

  test('parallel_tool_calls only goes out with tools', () => {
    expect(chatRequestToOpenAIBody(request({ parallel_tool_calls: false }), 'm').parallel_tool_calls).toBeUndefined();
    const withTools = request({ parallel_tool_calls: false, tools: [{ name: 't', parameters: { type: 'object' } }] });
    expect(chatRequestToOpenAIBody(withTools, 'm').parallel_tool_calls).toBe(false);
  });

  test('a provider answer with extra choices, logprobs, reasoning tokens and a service tier maps in whole', () => {
    const logprobs = { content: [{ token: 'a', logprob: -0.1, bytes: [97], top_logprobs: [] }], refusal: null };
    const response = openAICompletionToResponse({
      id: 'c',
      created: 1,
      model: 'gpt-5.6-terra',
      service_tier: 'flex',
      choices: [
        { message: { content: 'a' }, finish_reason: 'stop', logprobs },
        { message: { content: 'b' }, finish_reason: 'length', logprobs: null },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 40, completion_tokens_details: { reasoning_tokens: 30 } },
    });
    expect(response).toMatchObject({ content: 'a', logprobs, service_tier: 'flex', usage: { output_tokens: 40, reasoning_tokens: 30 } });
    expect(response.more_choices).toEqual([{ content: 'b', tool_calls: [], finish_reason: 'length' }]);
  });
});
