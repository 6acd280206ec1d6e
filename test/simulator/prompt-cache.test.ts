import type OpenAI from 'openai';
import type Anthropic from '@anthropic-ai/sdk';
import type { Simulator } from '../../infra/simulator/server';
import { GPT, anthropicClient, longText, openaiClient, startTestSimulator } from './helpers';

describe('provider prompt caching', () => {
  let sim: Simulator;
  let openai: OpenAI;
  let anthropic: Anthropic;
  beforeAll(async () => {
    sim = await startTestSimulator();
    openai = openaiClient(sim);
    anthropic = anthropicClient(sim);
  }, 120_000);
  afterAll(() => sim.close());

  it('OpenAI: a repeated ≥1024-token prompt reports cached_tokens in 128-token steps', async () => {
    const system = longText(1500, 7);
    const body = (question: string) => ({
      model: GPT,
      prompt_cache_key: 'tenant-a',
      messages: [
        { role: 'system' as const, content: system },
        { role: 'user' as const, content: question },
      ],
    });
    const first = await openai.chat.completions.create(body('What is the refund window?'));
    expect(first.usage!.prompt_tokens).toBeGreaterThan(1024);
    expect(first.usage!.prompt_tokens_details!.cached_tokens).toBe(0);

    const second = await openai.chat.completions.create(body('What is the refund window?'));
    const cached = second.usage!.prompt_tokens_details!.cached_tokens!;
    expect(cached).toBeGreaterThanOrEqual(1024);
    expect((cached - 1024) % 128).toBe(0);
    expect(cached).toBeLessThanOrEqual(second.usage!.prompt_tokens);
    expect(second.usage!.prompt_tokens - cached).toBeLessThan(128 + 20);

    // Same prefix, different question: the shared prefix is still cached.
    const third = await openai.chat.completions.create(body('How do I change my shipping address?'));
    expect(third.usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThanOrEqual(1024);
    // A different cache key is a different cache.
    const otherKey = await openai.chat.completions.create({ ...body('What is the refund window?'), prompt_cache_key: 'tenant-b' });
    expect(otherKey.usage!.prompt_tokens_details!.cached_tokens).toBe(0);
    // Short prompts are never cached.
    const short = { model: GPT, messages: [{ role: 'user' as const, content: 'short prompt' }] };
    await openai.chat.completions.create(short);
    expect((await openai.chat.completions.create(short)).usage!.prompt_tokens_details!.cached_tokens).toBe(0);
  });

  it('Anthropic: the first call writes the cache_control prefix, the identical second call reads it', async () => {
    const model = 'claude-sim-cache'; // outside the catalog: minimum cacheable prefix 1,024 tokens
    const params: Anthropic.MessageCreateParamsNonStreaming = {
      model,
      max_tokens: 100,
      system: [
        { type: 'text', text: 'You answer questions about the policy below.' },
        { type: 'text', text: longText(1500, 11), cache_control: { type: 'ephemeral' } },
      ],
      messages: [{ role: 'user', content: 'Summarise the warranty terms.' }],
    };
    const first = await anthropic.messages.create(params);
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(1024);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(first.usage.cache_creation!.ephemeral_5m_input_tokens).toBe(first.usage.cache_creation_input_tokens);

    const second = await anthropic.messages.create(params);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    // input_tokens excludes the cached part, as on the real API.
    expect(second.usage.input_tokens).toBe(first.usage.input_tokens);
    expect(second.usage.input_tokens).toBeLessThan(50);
    const total = (u: Anthropic.Usage) => u.input_tokens + u.cache_read_input_tokens! + u.cache_creation_input_tokens!;
    expect(total(second.usage)).toBe(total(first.usage));
    expect(sim.stats().by_model[model]).toMatchObject({ cached_input_tokens: second.usage.cache_read_input_tokens, cache_write_tokens: first.usage.cache_creation_input_tokens });

    // A later turn with a breakpoint on the last message reads the system prefix and writes the rest.
    const longer = await anthropic.messages.create({
      ...params,
      messages: [{ role: 'user', content: [{ type: 'text', text: `Question about clause 4: ${longText(50, 3)}`, cache_control: { type: 'ephemeral', ttl: '1h' } }] }],
    });
    expect(longer.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(longer.usage.cache_creation!.ephemeral_1h_input_tokens).toBeGreaterThan(0);
  });

  it('Anthropic: prefixes under the model minimum are not cached, and no breakpoint means no caching', async () => {
    const small = await anthropic.messages.create({
      model: 'claude-sim-cache',
      max_tokens: 10,
      system: [{ type: 'text', text: 'Short system prompt.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(small.usage.cache_creation_input_tokens).toBe(0);
    const noBreakpoint = { model: 'claude-sim-cache', max_tokens: 10, system: longText(1500, 5), messages: [{ role: 'user' as const, content: 'hi' }] };
    await anthropic.messages.create(noBreakpoint);
    const again = await anthropic.messages.create(noBreakpoint);
    expect(again.usage.cache_read_input_tokens).toBe(0);
    expect(again.usage.cache_creation_input_tokens).toBe(0);
    // claude-haiku-4-5 needs 4,096 tokens (catalog min_cacheable_tokens).
    const haiku = await anthropic.messages.create({ ...noBreakpoint, model: 'claude-haiku-4-5', system: [{ type: 'text', text: longText(1500, 5), cache_control: { type: 'ephemeral' } }] });
    expect(haiku.usage.cache_creation_input_tokens).toBe(0);
  });

  it('Anthropic: top-level cache_control marks the last block', async () => {
    const params = { model: 'claude-sim-cache', max_tokens: 10, cache_control: { type: 'ephemeral' as const }, messages: [{ role: 'user' as const, content: longText(1400, 9) }] };
    const first = await anthropic.messages.create(params);
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(1024);
    const second = await anthropic.messages.create(params);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
  });
});
