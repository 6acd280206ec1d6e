import { ChatOpenAI } from '@langchain/openai';
import { HumanMessage, type AIMessage, type ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import { KEYS, startTestParsimony, type TestParsimony } from '../helpers/parsimony';

/** LangChain's ChatOpenAI on the Responses API (`useResponsesApi: true`) pointed at Parsimony. */
let p: TestParsimony | undefined;
const sent: { path: string; body: Record<string, unknown> }[] = [];
beforeAll(async () => {
  p = await startTestParsimony('responses-langchain');
}, 120_000);
afterAll(async () => {
  await p?.close();
});
beforeEach(() => {
  sent.length = 0;
});

function chat() {
  return new ChatOpenAI({
    model: 'gpt-4.1-mini',
    useResponsesApi: true,
    apiKey: KEYS.acme,
    maxRetries: 0,
    configuration: {
      baseURL: `${p!.url}/v1`,
      fetch: async (url: string | URL | Request, init?: RequestInit) => {
        if (typeof init?.body === 'string') sent.push({ path: new URL(String(url)).pathname, body: JSON.parse(init.body) as Record<string, unknown> });
        return fetch(url, init);
      },
    },
  });
}

const weather = tool(async ({ city }: { city: string }) => `${city}: 12 C, windy`, {
  name: 'get_weather',
  description: 'Weather for a city',
  schema: z.object({ city: z.string() }),
});

describe('LangChain ChatOpenAI({ useResponsesApi: true })', () => {
  test('invoke', async () => {
    const answer = await chat().invoke('Name a mountain in Chile.');
    expect(typeof answer.content === 'string' ? answer.content : answer.text).toBeTruthy();
    expect(answer.usage_metadata?.input_tokens).toBeGreaterThan(0);
    expect(sent.map((s) => s.path)).toEqual(['/v1/responses']);
  });

  test('stream', async () => {
    let text = '';
    for await (const chunk of await chat().stream('Describe a desert.')) text += chunk.text;
    expect(text.length).toBeGreaterThan(0);
    expect(sent[0].body.stream).toBe(true);
  });

  test('a tool loop with bindTools', async () => {
    const model = chat().bindTools([weather]);
    const messages: (HumanMessage | AIMessage | ToolMessage)[] = [new HumanMessage('What is the weather in Dublin?')];
    const first = (await model.invoke(messages)) as AIMessage;
    expect(first.tool_calls?.[0]?.name).toBe('get_weather');
    messages.push(first);
    for (const call of first.tool_calls ?? []) messages.push((await weather.invoke(call)) as ToolMessage);
    const second = await model.invoke(messages);
    expect(second.text).toMatch(/tool result/);
    expect(sent.every((s) => s.path === '/v1/responses')).toBe(true);
    if (process.env.SHOW_SENT) process.stdout.write(JSON.stringify(sent) + '\n');
  });

  test('withStructuredOutput', async () => {
    const structured = chat().withStructuredOutput(z.object({ city: z.string(), country: z.string() }));
    const value = await structured.invoke('A capital city and its country.');
    expect(typeof value.city).toBe('string');
    expect(typeof value.country).toBe('string');
  });
});
