import { readJsonl, startBatchParsimony, upload, waitForBatch, type BatchParsimony } from './batch-helpers';

/** Messages bodies through POST /v1/jobs and the Batch API: the surface registry makes them accepted everywhere. */
let p: BatchParsimony;
beforeAll(async () => {
  p = await startBatchParsimony('messages-batch');
}, 120_000);
afterAll(async () => {
  await p?.close();
});

const body = (text: string, model = 'claude-haiku-4-5') => ({ model, max_tokens: 200, system: 'Be brief.', messages: [{ role: 'user', content: text }] });

test('POST /v1/jobs with surface "messages": the job answers a Message', async () => {
  const res = await p.http('/v1/jobs', { method: 'POST', json: { surface: 'messages', latency: 'sync', request: body('Name a colour.') } });
  expect(res.status).toBe(200);
  const job = await res.json();
  expect(job.status).toBe('completed');
  expect(job.response).toMatchObject({ type: 'message', role: 'assistant', id: expect.stringMatching(/^msg_/), content: [{ type: 'text' }] });
  const bad = await p.http('/v1/jobs', { method: 'POST', json: { endpoint: '/v1/messages', request: { ...body('x'), thread: { type: 'create' } } } });
  expect(bad.status).toBe(400);
  expect((await bad.json()).error.message).toMatch(/thread/);
});

test('a batch of /v1/messages lines: Message bodies in the output file, a refused field in the error file', async () => {
  const lines = [
    { custom_id: 'm1', method: 'POST', url: '/v1/messages', body: body('Summarise: the cat sat on the mat.') },
    { custom_id: 'm2', method: 'POST', url: '/v1/messages', body: body('Classify: I love it.', 'auto') },
    { custom_id: 'm3', method: 'POST', url: '/v1/messages', body: { ...body('x'), mcp_servers: [{ type: 'url', url: 'https://x', name: 'x' }] } },
  ];
  const file = await upload(p, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const created = await p.openai().batches.create({ input_file_id: file.id, endpoint: '/v1/messages' as '/v1/chat/completions', completion_window: '24h' });
  const done = await waitForBatch(p, created.id);
  expect(done.request_counts).toEqual({ total: 3, completed: 2, failed: 1 });
  const out = await readJsonl(p, done.output_file_id);
  for (const row of out) expect(row.response.body).toMatchObject({ type: 'message', content: expect.any(Array), usage: { input_tokens: expect.any(Number) } });
  const errors = await readJsonl(p, done.error_file_id);
  expect(JSON.stringify(errors)).toMatch(/mcp_servers/);
}, 90_000);
