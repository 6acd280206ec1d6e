import { Catalog } from '../../shared/core/catalog/catalog';
import { chatRequestToAnthropicParams } from '../../shared/providers/anthropic/to-anthropic';
import type { ChatMessage, ChatRequest } from '../../shared/core/chat-model';
import { countMarkers, MAX_BREAKPOINTS, placeAnthropicBreakpoints } from '../../shared/levers/prompt-cache/anthropic-breakpoints';
import { openAIPromptCacheKey } from '../../shared/levers/prompt-cache/openai-cache-key';
import { PromptCacheStage } from '../../shared/levers/prompt-cache/prompt-cache-stage';
import { stageContext } from '../compression/stage-context';

const catalog = Catalog.load();
const LONG_POLICY = Array.from({ length: 300 }, (_, i) => `Rule ${i}: always check the reservation before changing anything.`).join('\n');
const LONG_TOOL_DESC = 'Searches flights between two airports on a date and returns prices. '.repeat(120);

function conversation(turns: number): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'user', content: [{ type: 'text', text: `Question ${i}: what about flight HAT${i}?` }] });
    if (i < turns - 1) messages.push({ role: 'assistant', content: [{ type: 'text', text: `Answer ${i}.` }] });
  }
  return messages;
}

function request(over: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'claude-sonnet-4-6',
    system: [
      { type: 'text', text: 'You are an airline agent.' },
      { type: 'text', text: LONG_POLICY },
    ],
    messages: conversation(3),
    tools: [
      { name: 'search', description: LONG_TOOL_DESC, parameters: { type: 'object', properties: {} } },
      { name: 'book', description: 'Books a flight.', parameters: { type: 'object', properties: {} } },
    ],
    sampling: {},
    ...over,
  };
}

describe('placeAnthropicBreakpoints', () => {
  it('marks tools, system and the latest turn of a long prefix, on a copy', () => {
    const input = request();
    const snapshot = JSON.stringify(input);
    const plan = placeAnthropicBreakpoints(input, { minCacheableTokens: 1024 });
    expect(JSON.stringify(input)).toBe(snapshot);
    expect(plan.added.map((a) => a.site)).toEqual(['tools', 'system', 'latest_turn']);
    expect(plan.request.tools![1].cache_control).toEqual({ type: 'ephemeral' });
    expect(plan.request.tools![0].cache_control).toBeUndefined();
    expect(plan.request.system[1].cache_control).toEqual({ type: 'ephemeral' });
    expect(plan.request.system[0].cache_control).toBeUndefined();
    const last = plan.request.messages[plan.request.messages.length - 1];
    expect(last.role === 'user' && last.content[0].type === 'text' && last.content[0].cache_control).toEqual({ type: 'ephemeral' });
    // Survives the real Anthropic mapping.
    const params = chatRequestToAnthropicParams(plan.request, catalog.get('claude-sonnet-4-6'));
    expect(JSON.stringify(params).match(/cache_control/g)).toHaveLength(3);
  });

  it('adds the compacted-history breakpoint and never more than four', () => {
    const plan = placeAnthropicBreakpoints(request({ messages: conversation(6) }), { minCacheableTokens: 1024, stablePrefixMessages: 5 });
    expect(plan.added.map((a) => a.site)).toEqual(['tools', 'system', 'stable_history', 'latest_turn']);
    expect(countMarkers(plan.request)).toBe(MAX_BREAKPOINTS);
    const marked = plan.request.messages.findIndex((m) => m.role !== 'tool' && m.content.some((p) => p.type === 'text' && p.cache_control));
    expect(marked).toBe(4);
  });

  it('respects the model minimum: nothing below it', () => {
    const short = request({ system: [{ type: 'text', text: 'Be brief.' }], tools: undefined });
    expect(placeAnthropicBreakpoints(short, { minCacheableTokens: 1024 }).added).toEqual([]);
    expect(placeAnthropicBreakpoints(short, { minCacheableTokens: 1024 }).request).toBe(short);
    const plan = placeAnthropicBreakpoints(request({ tools: undefined }), { minCacheableTokens: 4096 });
    expect(plan.added.every((a) => a.prefix_tokens >= 4096)).toBe(true);
    expect(plan.prefix_tokens).toBeLessThan(4096);
    expect(plan.added).toEqual([]);
  });

  it('does not add a latest-turn marker to a single-turn request', () => {
    const plan = placeAnthropicBreakpoints(request({ messages: conversation(1) }), { minCacheableTokens: 1024 });
    expect(plan.added.map((a) => a.site)).toEqual(['tools', 'system']);
  });

  it("leaves the caller's markers alone and adds none", () => {
    const input = request();
    input.system[0] = { ...input.system[0], cache_control: { type: 'ephemeral', ttl: '1h' } };
    const plan = placeAnthropicBreakpoints(input, { minCacheableTokens: 1024 });
    expect(plan.caller_markers).toBe(1);
    expect(plan.added).toEqual([]);
    expect(plan.request).toBe(input);
    expect(countMarkers(plan.request)).toBe(1);
  });
});

describe('OpenAI prompt_cache_key', () => {
  it('is stable per tenant + system + tools and differs across tenants and prefixes', () => {
    const r = request({ model: 'gpt-4.1' });
    const longer: ChatRequest = { ...r, messages: conversation(5) };
    expect(openAIPromptCacheKey('acme', r)).toBe(openAIPromptCacheKey('acme', longer));
    expect(openAIPromptCacheKey('acme', r)).not.toBe(openAIPromptCacheKey('globex', r));
    expect(openAIPromptCacheKey('acme', r)).not.toBe(openAIPromptCacheKey('acme', { ...r, system: [{ type: 'text', text: 'other' }] }));
    expect(openAIPromptCacheKey('acme', r).length).toBeLessThanOrEqual(64);
  });
});

describe('PromptCacheStage', () => {
  it('sets prompt_cache_key for OpenAI models unless the caller set one', async () => {
    const ctx = stageContext(request({ model: 'gpt-4.1' }), 'acme');
    await new PromptCacheStage({ catalog }).run(ctx);
    expect(ctx.request.prompt_cache_key).toBe(openAIPromptCacheKey('acme', ctx.request));
    const own = stageContext(request({ model: 'gpt-4.1', prompt_cache_key: 'mine' }), 'acme');
    await new PromptCacheStage({ catalog }).run(own);
    expect(own.request.prompt_cache_key).toBe('mine');
  });

  it("places Anthropic breakpoints with the routed model's minimum and the context stage's stable prefix", async () => {
    const ctx = stageContext(request({ messages: conversation(6) }), 'acme');
    Object.assign(ctx, { model: catalog.get('claude-sonnet-4-6') });
    ctx.annotations.context = { stable_prefix_messages: 3 };
    await new PromptCacheStage().run(ctx);
    expect((ctx.annotations.prompt_cache as { breakpoints: { site: string }[] }).breakpoints.map((b) => b.site)).toEqual(['tools', 'system', 'stable_history', 'latest_turn']);
    expect(ctx.request.prompt_cache_key).toBeUndefined();
  });
});
