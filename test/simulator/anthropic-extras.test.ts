import Anthropic from '@anthropic-ai/sdk';
import type { Simulator } from '../../infra/simulator/server';
import { CLAUDE, anthropicClient, openaiClient, startTestSimulator } from './helpers';

/** The simulator's thinking blocks, count_tokens and Anthropic-shaped model list, through the official SDK unmodified. */
describe('Anthropic simulator: thinking, count_tokens, models', () => {
  let sim: Simulator;
  let client: Anthropic;
  beforeAll(async () => {
    sim = await startTestSimulator();
    client = anthropicClient(sim);
  }, 120_000);
  afterAll(() => sim?.close());

  it('thinking enabled: a signed thinking block first, its tokens in output_tokens; a forged signature is a 400', async () => {
    const params = { model: CLAUDE, max_tokens: 3000, thinking: { type: 'enabled' as const, budget_tokens: 1500 }, messages: [{ role: 'user' as const, content: 'Plan a trip.' }] };
    const msg = await client.messages.create(params);
    expect(msg.content[0]).toMatchObject({ type: 'thinking', thinking: expect.any(String), signature: expect.any(String) });
    expect(msg.content[1].type).toBe('text');
    expect(msg.usage.output_tokens_details?.thinking_tokens).toBeGreaterThan(0);
    const plain = await client.messages.create({ model: CLAUDE, max_tokens: 3000, messages: params.messages });
    expect(plain.content.some((b) => b.type === 'thinking')).toBe(false);

    const forged = [{ ...(msg.content[0] as Anthropic.ThinkingBlock), thinking: 'edited' }, ...msg.content.slice(1)];
    const err = await client.messages.create({ ...params, messages: [...params.messages, { role: 'assistant', content: forged }, { role: 'user', content: 'go on' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as Error).message).toMatch(/signature/);
  });

  it('streams thinking as thinking_delta then signature_delta', async () => {
    const deltas: string[] = [];
    const stream = client.messages.stream({ model: CLAUDE, max_tokens: 3000, thinking: { type: 'enabled', budget_tokens: 1500 }, messages: [{ role: 'user', content: 'Why is the sky blue?' }] });
    stream.on('streamEvent', (e) => {
      if (e.type === 'content_block_delta') deltas.push(e.delta.type);
    });
    const final = await stream.finalMessage();
    expect(deltas.indexOf('thinking_delta')).toBeGreaterThanOrEqual(0);
    expect(deltas.indexOf('signature_delta')).toBeGreaterThan(deltas.lastIndexOf('thinking_delta'));
    expect((final.content[0] as Anthropic.ThinkingBlock).signature.length).toBeGreaterThan(0);
  });

  it('countTokens and models.list / retrieve', async () => {
    const count = await client.messages.countTokens({ model: CLAUDE, messages: [{ role: 'user', content: 'How many tokens is this?' }] });
    expect(count.input_tokens).toBeGreaterThan(3);
    const ids: string[] = [];
    for await (const m of client.models.list({ limit: 2 })) {
      expect(m).toMatchObject({ type: 'model', display_name: expect.stringMatching(/^Claude /) });
      ids.push(m.id);
    }
    expect(ids).toContain(CLAUDE);
    expect(await client.models.retrieve(CLAUDE)).toMatchObject({ id: CLAUDE, type: 'model' });
    // The OpenAI list at the same path still answers OpenAI's clients.
    const openai = await openaiClient(sim).models.list();
    expect(openai.data[0]).toHaveProperty('object', 'model');
  });
});
