import OpenAI from 'openai';
import { Agent, run, setDefaultOpenAIClient, setTracingDisabled, tool } from '@openai/agents';
import { z } from 'zod';
import { KEYS, startTestParsimony, type TestParsimony } from '../helpers/parsimony';

/**
 * The OpenAI Agents SDK in its default mode (the Responses API model) with
 * its default client pointed at Parsimony, running a tool-using agent to its
 * final output, streamed and not. Tracing export is off: there is no network.
 */
let p: TestParsimony | undefined;
const sent: { path: string; body: Record<string, unknown>; headers: Record<string, string> }[] = [];
beforeAll(async () => {
  p = await startTestParsimony('responses-agents');
  setTracingDisabled(true);
  setDefaultOpenAIClient(
    new OpenAI({
      apiKey: KEYS.acme,
      baseURL: `${p.url}/v1`,
      maxRetries: 0,
      fetch: async (url, init) => {
        if (typeof init?.body === 'string')
          sent.push({ path: new URL(String(url)).pathname, body: JSON.parse(init.body) as Record<string, unknown>, headers: Object.fromEntries(new Headers(init.headers).entries()) });
        return fetch(url, init);
      },
    }),
  );
}, 120_000);
afterAll(async () => {
  await p?.close();
});
beforeEach(() => {
  sent.length = 0;
});

const calls: string[] = [];
const getWeather = tool({
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => {
    calls.push(city);
    return `${city}: 22 C and sunny`;
  },
});

function agent() {
  // No model: the SDK's default (gpt-5.4-mini in 0.14, with its default reasoning settings), as a new user runs it.
  return new Agent({ name: 'Weather agent', instructions: 'Use the tool to answer weather questions.', tools: [getWeather] });
}

describe('OpenAI Agents SDK (default Responses mode) against Parsimony', () => {
  test('run(): the agent calls its tool and reaches a final output', async () => {
    calls.length = 0;
    const result = await run(agent(), 'What is the weather in Athens?');
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(typeof result.finalOutput).toBe('string');
    expect(result.finalOutput).toMatch(/tool result/);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.every((s) => s.path === '/v1/responses')).toBe(true);
    expect(sent[0].body.model).toBe('gpt-5.4-mini');
    const job = await (await p!.http(`/v1/jobs/job_${String(result.lastResponseId).replace(/^resp_/, '')}`)).json();
    expect(job.response.id).toBe(result.lastResponseId);
    if (process.env.SHOW_SENT) process.stdout.write(JSON.stringify(sent) + '\n');
  });

  test('run(..., { stream: true }): streamed to completion', async () => {
    calls.length = 0;
    const result = await run(agent(), 'Weather in Cairo, please?', { stream: true });
    let text = '';
    for await (const event of result) {
      if (event.type === 'raw_model_stream_event' && event.data.type === 'output_text_delta') text += event.data.delta;
    }
    await result.completed;
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(result.finalOutput).toMatch(/tool result/);
    expect(text).toBe(result.finalOutput);
    expect(sent.every((s) => s.body.stream === true)).toBe(true);
  });

  test('a run continued with previousResponseId (server-side conversation state)', async () => {
    const first = await run(agent(), 'Weather in Oslo?');
    const second = await run(agent(), 'And what did I just ask about?', { previousResponseId: first.lastResponseId });
    expect(typeof second.finalOutput).toBe('string');
    expect(sent[sent.length - 1].body.previous_response_id).toBeTruthy();
  });
});
