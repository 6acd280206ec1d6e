import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';
import { KEYS, startTestParsimony, type TestParsimony } from '../helpers/parsimony';

/**
 * The Vercel AI SDK as a user would point it at Parsimony: its default OpenAI
 * provider (which speaks the Responses API) and `openai.chat(...)` (chat
 * completions). Every call records the request bodies it sent, so the test
 * also says which endpoint each path really uses.
 */
let p: TestParsimony | undefined;
const sent: { url: string; body: Record<string, unknown> }[] = [];
beforeAll(async () => {
  p = await startTestParsimony('responses-ai-sdk');
}, 120_000);
afterAll(async () => {
  await p?.close();
});

function provider() {
  return createOpenAI({
    baseURL: `${p!.url}/v1`,
    apiKey: KEYS.acme,
    fetch: async (url, init) => {
      if (typeof init?.body === 'string') sent.push({ url: String(url), body: JSON.parse(init.body) as Record<string, unknown> });
      return fetch(url, init);
    },
  });
}

const weather = tool({
  description: 'Weather for a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, temp_c: 19, sky: 'cloudy' }),
});

const paths = {
  default: (o: ReturnType<typeof provider>) => o('gpt-4.1-mini'),
  chat: (o: ReturnType<typeof provider>) => o.chat('gpt-4.1-mini'),
};

describe.each(Object.keys(paths) as (keyof typeof paths)[])('Vercel AI SDK, %s provider path', (path) => {
  const endpoint = path === 'default' ? '/v1/responses' : '/v1/chat/completions';
  const model = () => paths[path](provider());

  beforeEach(() => {
    sent.length = 0;
  });

  test('generateText', async () => {
    const result = await generateText({ model: model(), system: 'Be brief.', prompt: 'Name two oceans.' });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.finishReason).toBe('stop');
    expect(sent.map((s) => new URL(s.url).pathname)).toEqual([endpoint]);
  });

  test('streamText', async () => {
    const result = streamText({ model: model(), prompt: 'Describe a forest.' });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text.length).toBeGreaterThan(0);
    expect(await result.text).toBe(text);
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
  });

  test('generateObject', async () => {
    const { object } = await generateObject({ model: model(), schema: z.object({ name: z.string(), year: z.number() }), prompt: 'A famous bridge and the year it opened.' });
    expect(typeof object.name).toBe('string');
    expect(typeof object.year).toBe('number');
  });

  test('tools: a multi-step tool loop to a final answer', async () => {
    const result = await generateText({ model: model(), tools: { weather }, stopWhen: stepCountIs(4), prompt: 'What is the weather in Lisbon?' });
    expect(result.steps.length).toBeGreaterThanOrEqual(2);
    expect(result.steps[0].toolCalls[0]).toMatchObject({ toolName: 'weather' });
    expect(result.text).toMatch(/tool result/);
    expect(sent.every((s) => new URL(s.url).pathname === endpoint)).toBe(true);
    if (process.env.SHOW_SENT) process.stdout.write(JSON.stringify(sent) + '\n');
  });

  test("a second turn with the first turn's messages (the default path sends stored items back as item_reference)", async () => {
    const first = await generateText({ model: model(), prompt: 'Name a river in France.' });
    const second = await generateText({ model: model(), messages: [{ role: 'user', content: 'Name a river in France.' }, ...first.response.messages, { role: 'user', content: 'And one in Spain?' }] });
    expect(second.text.length).toBeGreaterThan(0);
    const input = sent[sent.length - 1].body.input as { type?: string; role?: string }[];
    if (path === 'default') expect(input.map((i) => i.type ?? i.role)).toEqual(['user', 'item_reference', 'user']);
  });

  test('streamText with tools', async () => {
    const result = streamText({ model: model(), tools: { weather }, stopWhen: stepCountIs(4), prompt: 'Weather in Madrid please' });
    const kinds = new Set<string>();
    for await (const part of result.fullStream) kinds.add(part.type);
    expect(kinds).toContain('tool-call');
    expect(kinds).toContain('tool-result');
    expect(await result.text).toMatch(/tool result/);
  });
});
