import { chatBody, startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';

let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('cache');
}, 120_000);
afterAll(async () => {
  await p.close();
});

const question = (text: string, extra: Record<string, unknown> = {}) => chatBody(text, { model: 'gpt-4.1-mini', ...extra });

/** Sends until the answer comes from the cache (stores happen off the hot path, in the cache-service). */
async function askUntilHit(text: string, tenant: 'acme' | 'globex' = 'acme', timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await p.http('/v1/chat/completions', { method: 'POST', json: question(text), tenant });
    const headers = res.headers;
    const body = await res.json();
    if (headers.get('x-parsimony-cache') === 'hit' || Date.now() > until) return { headers, body };
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('fast path: a repeated question is served from the exact tier with no provider call', async () => {
  const first = await p.http('/v1/chat/completions', { method: 'POST', json: question('What is the capital of Australia?') });
  expect(first.headers.get('x-parsimony-cache')).toBe('miss');
  const firstBody = await first.json();
  const { headers, body } = await askUntilHit('What is the capital of Australia?');
  expect(headers.get('x-parsimony-cache')).toBe('hit');
  expect(body.choices[0].message.content).toBe(firstBody.choices[0].message.content);

  const calls = p.sim.stats().chat_calls;
  const again = await p.http('/v1/chat/completions', { method: 'POST', json: question('What is the capital of Australia?') });
  expect(again.headers.get('x-parsimony-cache')).toBe('hit');
  expect(p.sim.stats().chat_calls).toBe(calls);

  const job = await (await p.http(`/v1/jobs/${again.headers.get('x-parsimony-job-id')}`)).json();
  expect(job.cache).toMatchObject({ hit: true, kind: 'exact' });
  expect(job.delivered_by).toBe('cache');
  expect(job.cost.by_lever.cache).toBeGreaterThan(0);
  expect(job.cost.actual_usd).toBe(job.cost.overhead_usd);
});

test('semantic tier: a paraphrase hits with its similarity; another tenant never does', async () => {
  await askUntilHit('How do I reset my account password?');
  const res = await p.http('/v1/chat/completions', { method: 'POST', json: question('How can I reset my account password?') });
  expect(res.headers.get('x-parsimony-cache')).toBe('hit');
  expect(Number(res.headers.get('x-parsimony-cache-similarity'))).toBeGreaterThan(0.8);
  const other = await p.http('/v1/chat/completions', { method: 'POST', json: question('How do I reset my account password?'), tenant: 'globex' });
  expect(other.headers.get('x-parsimony-cache')).toBe('miss');
});

test('the queued path serves hits too, and a streamed request replays the stored answer as a stream', async () => {
  const { body } = await askUntilHit('Name the largest planet in the solar system.');
  const { id } = await (await p.http('/v1/jobs', { method: 'POST', json: { request: question('Name the largest planet in the solar system.') } })).json();
  const job = await waitForJob(p, id);
  expect(job.cache.hit).toBe(true);
  expect(job.response.choices[0].message.content).toBe(body.choices[0].message.content);

  const stream = await p.openai().chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Name the largest planet in the solar system.' }], stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  expect(text).toBe(body.choices[0].message.content);
});

test('cache: off bypasses; purge by tag removes entries', async () => {
  const bypass = await p.http('/v1/chat/completions', { method: 'POST', json: question('What is the capital of Australia?', { parsimony: { cache: { mode: 'off' } } }) });
  expect(bypass.headers.get('x-parsimony-cache')).toBe('bypass');

  const tagged = { request: question('Which ocean is the deepest?', { metadata: { cache_tags: 'geo' } }), metadata: { cache_tags: ['geo'] }, latency: 'sync' };
  await p.http('/v1/jobs', { method: 'POST', json: tagged });
  await askUntilHit('Which ocean is the deepest?');
  const purge = await (await p.http('/v1/cache/purge', { method: 'POST', json: { tag: 'geo' } })).json();
  expect(purge.purged).toBeGreaterThan(0);
  const after = await p.http('/v1/chat/completions', { method: 'POST', json: question('Which ocean is the deepest?') });
  expect(after.headers.get('x-parsimony-cache')).toBe('miss');
  expect((await p.http('/v1/cache/purge', { method: 'POST', json: { colour: 'red' } })).status).toBe(400);
  expect((await p.http('/v1/cache/entries/nope', { method: 'DELETE' })).status).toBe(404);
});

test('errors are never cached', async () => {
  p.sim.faults.add({ status: 400, times: 1, match: { contains: 'never-cache-this' } });
  expect((await p.http('/v1/chat/completions', { method: 'POST', json: question('never-cache-this question') })).status).toBe(400);
  const ok = await p.http('/v1/chat/completions', { method: 'POST', json: question('never-cache-this question') });
  expect(ok.status).toBe(200);
  expect(ok.headers.get('x-parsimony-cache')).toBe('miss');
});
