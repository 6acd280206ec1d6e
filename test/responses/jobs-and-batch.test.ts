import { readJsonl, startBatchParsimony, upload, waitForBatch, type BatchParsimony } from '../batch-api/batch-helpers';
import { waitForJob } from '../helpers/parsimony';

/** Responses bodies through POST /v1/jobs (surface / endpoint selector) and the Batch API (lines with url /v1/responses). */
let p: BatchParsimony | undefined;
beforeAll(async () => {
  p = await startBatchParsimony('responses-jobs');
}, 120_000);
afterAll(async () => {
  await p?.close();
});
const P = () => p!;

const responsesLine = (customId: string, input: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/responses', body: { model: 'gpt-4.1-mini', input, ...extra } });

describe('POST /v1/jobs with a Responses body', () => {
  test('surface "responses", sync: the job answer is a Response object', async () => {
    const res = await P().http('/v1/jobs', { method: 'POST', json: { surface: 'responses', latency: 'sync', request: { model: 'gpt-4.1-mini', instructions: 'Be brief.', input: 'Name a planet.' } } });
    expect(res.status).toBe(200);
    const job = await res.json();
    expect(job.status).toBe('completed');
    expect(job.response).toMatchObject({ object: 'response', status: 'completed', instructions: 'Be brief.', model: 'gpt-4.1-mini' });
    expect(job.response.id).toBe(`resp_${job.id.replace(/^job_/, '')}`);
    expect(job.response.output[0]).toMatchObject({ type: 'message', role: 'assistant' });
    expect(job.response.usage.output_tokens_details).toEqual({ reasoning_tokens: 0 });
  });

  test('endpoint "/v1/responses", async, model in the envelope, continuing a stored response', async () => {
    const stored = await P().openai().responses.create({ model: 'gpt-4.1-mini', input: 'Remember the number 4417.' });
    const res = await P().http('/v1/jobs', { method: 'POST', json: { endpoint: '/v1/responses', model: 'gpt-4.1-mini', request: { previous_response_id: stored.id, input: 'Which number?' } } });
    expect(res.status).toBe(202);
    const job = await waitForJob(P(), (await res.json()).id);
    expect(job.status).toBe('completed');
    expect(job.response.previous_response_id).toBe(stored.id);
    // The stored conversation reached the model: more input tokens than the same question alone.
    const alone = await (await P().http('/v1/jobs', { method: 'POST', json: { surface: 'responses', latency: 'sync', request: { model: 'gpt-4.1-mini', input: 'Which number?' } } })).json();
    expect(job.response.usage.input_tokens).toBeGreaterThan(alone.response.usage.input_tokens);
  });

  test('a bad selector or a bad body is a 400 naming it', async () => {
    const bad = await P().http('/v1/jobs', { method: 'POST', json: { endpoint: '/v1/nope', request: { model: 'gpt-4.1-mini', input: 'x' } } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/^endpoint: "\/v1\/nope" does not run as a job; jobs run "\/v1\/chat\/completions"/);
    const hosted = await P().http('/v1/jobs', { method: 'POST', json: { surface: 'responses', request: { model: 'gpt-4.1-mini', input: 'x', tools: [{ type: 'file_search' }] } } });
    expect(hosted.status).toBe(400);
    expect((await hosted.json()).error.message).toMatch(/^request\.tools\.0: tool type "file_search"/);
    const conflict = await P().http('/v1/jobs', { method: 'POST', json: { surface: 'chat_completions', endpoint: '/v1/responses', request: { model: 'gpt-4.1-mini', input: 'x' } } });
    expect(conflict.status).toBe(400);
    // Default stays chat completions: a Responses body without a selector is refused by the chat schema.
    const chatDefault = await P().http('/v1/jobs', { method: 'POST', json: { request: { model: 'gpt-4.1-mini', input: 'x' } } });
    expect(chatDefault.status).toBe(400);
  });
});

describe('Batch API with endpoint /v1/responses', () => {
  test('lines of Responses bodies run; output lines carry Response objects; bad lines are reported', async () => {
    const input = [
      responsesLine('r1', 'Classify the sentiment: I love this phone.'),
      responsesLine('r2', [{ role: 'user', content: [{ type: 'input_text', text: 'Summarise: the cat sat on the mat.' }] }], { model: 'auto', instructions: 'One line.' }),
      JSON.stringify({ custom_id: 'r-url', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x' }] } }),
      responsesLine('r-tool', 'x', { tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] }),
      responsesLine('r-prev', 'x', { previous_response_id: 'resp_123' }),
    ].join('\n');
    const file = await upload(P(), `${input}\n`);
    const created = await P().openai().batches.create({ input_file_id: file.id, endpoint: '/v1/responses', completion_window: '24h' });
    expect(created.endpoint).toBe('/v1/responses');
    const done = await waitForBatch(P(), created.id);
    expect(done.request_counts).toEqual({ total: 5, completed: 2, failed: 3 });
    const output = await readJsonl(P(), done.output_file_id);
    expect(output.map((l) => l.custom_id)).toEqual(['r1', 'r2']);
    for (const l of output) {
      expect(l.response.status_code).toBe(200);
      expect(l.response.body).toMatchObject({ object: 'response', status: 'completed' });
      expect(l.response.body.output.some((o: { type: string }) => o.type === 'message')).toBe(true);
    }
    expect(output[1].response.body.instructions).toBe('One line.');
    const errors = await readJsonl(P(), done.error_file_id);
    const byId = Object.fromEntries(errors.map((e) => [e.custom_id, e.error]));
    expect(byId['r-url'].code).toBe('invalid_url');
    expect(byId['r-tool'].message).toMatch(/code_interpreter/);
    expect(byId['r-prev'].message).toMatch(/previous_response_id/);
  });

  test("a Messages batch and a Messages job: bodies and answers in Anthropic's format", async () => {
    const body = (text: string) => ({ model: 'claude-haiku-4-5', max_tokens: 200, messages: [{ role: 'user', content: text }] });
    const file = await upload(P(), `${JSON.stringify({ custom_id: 'm1', method: 'POST', url: '/v1/messages', body: body('Name a sea.') })}\n`);
    const created = await P()
      .openai()
      .batches.create({ input_file_id: file.id, endpoint: '/v1/messages' as '/v1/responses', completion_window: '24h' });
    const done = await waitForBatch(P(), created.id);
    // Whole objects in the expectations, so a failure shows why.
    expect({ counts: done.request_counts, errors: await readJsonl(P(), done.error_file_id) }).toEqual({ counts: { total: 1, completed: 1, failed: 0 }, errors: [] });
    const [line] = await readJsonl(P(), done.output_file_id);
    expect(line.response.body).toMatchObject({ type: 'message', role: 'assistant' });
    const job = await (await P().http('/v1/jobs', { method: 'POST', json: { surface: 'messages', latency: 'sync', request: body('Name an ocean.') } })).json();
    expect(job).toMatchObject({ status: 'completed', response: { type: 'message', role: 'assistant' } });
  });

  test('an endpoint no surface serves is refused', async () => {
    const file = await upload(P(), `${responsesLine('a', 'x')}\n`);
    await expect(P().openai().batches.create({ input_file_id: file.id, endpoint: '/v1/completions', completion_window: '24h' })).rejects.toMatchObject({ status: 400 });
    await expect(P().openai().batches.create({ input_file_id: file.id, endpoint: '/v1/embeddings', completion_window: '24h' })).rejects.toMatchObject({ status: 400 });
  });
});
