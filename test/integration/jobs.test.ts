import { chatBody, startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';

let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('jobs', { PARSIMONY_BODY_LIMIT: '256kb' });
}, 120_000);
afterAll(async () => {
  await p.close();
});

const submit = (json: unknown, init: Parameters<TestParsimony['http']>[1] = {}) => p.http('/v1/jobs', { method: 'POST', json, ...init });

describe('POST /v1/jobs', () => {
  test('async job: 202, then completed through the router-worker', async () => {
    const res = await submit({ request: chatBody('Summarise: the cat sat on the mat.'), metadata: { run: 1 } });
    expect(res.status).toBe(202);
    const { id, status } = await res.json();
    expect(status).toBe('queued');
    const job = await waitForJob(p, id);
    expect(job).toMatchObject({ id, status: 'completed', latency: 'async', metadata: { run: 1 }, route: { model: 'gpt-4.1-mini' } });
    expect(job.response.object).toBe('chat.completion');
    expect(job.usage.input_tokens).toBeGreaterThan(0);
    expect(job.cost.baseline_usd).toBeGreaterThan(0);
    expect(job.completed_at).toBeTruthy();
  });

  test('sync job answers 200 with the finished job', async () => {
    const res = await submit({ request: chatBody('Classify: "great product" as positive or negative.'), latency: 'sync' });
    expect(res.status).toBe(200);
    const job = await res.json();
    expect(job.status).toBe('completed');
    expect(job.response.choices[0].message.content).toBeTruthy();
  });

  test('envelope model overrides, and request.model may be left out', async () => {
    const res = await submit({ request: { messages: [{ role: 'user', content: 'hi' }] }, model: 'claude-haiku-4-5', latency: 'sync' });
    expect(res.status).toBe(200);
    expect((await res.json()).route.model).toBe('claude-haiku-4-5');
  });

  test('model "auto" is routed by task: classification to small, planning never below mid, bounds respected', async () => {
    const run = async (json: object) => (await submit({ latency: 'sync', ...json })).json();
    const classify = await run({ request: chatBody('Is this review positive or negative? "Great battery."', { model: 'auto' }), task: 'classify' });
    expect(classify.route.tier).toBe('small');
    expect(classify.route.reason).toMatch(/classify/);
    expect(classify.cost.by_lever.routing).toBeGreaterThan(0);
    const plan = await run({ request: chatBody('Plan a three-week migration of our billing system to a new provider, with risks and rollback steps.', { model: 'auto' }), task: 'plan' });
    expect(['mid', 'frontier']).toContain(plan.route.tier);
    const capped = await run({ request: chatBody('Plan a migration.', { model: 'auto' }), task: 'plan', max_tier: 'mid' });
    expect(capped.route.tier).toBe('mid');
    const floored = await run({ request: chatBody('Is "ok" positive?', { model: 'auto' }), task: 'classify', min_tier: 'frontier' });
    expect(floored.route.tier).toBe('frontier');
    expect(typeof floored.route.score).toBe('number');
  });

  test('the same idempotency key returns the same job, never a second one', async () => {
    const key = `idem-${Date.now()}`;
    const a = await (await submit({ request: chatBody('idempotent please') }, { headers: { 'idempotency-key': key } })).json();
    const bRes = await submit({ request: chatBody('idempotent please'), idempotency_key: key });
    expect(bRes.status).toBe(200);
    const b = await bRes.json();
    expect(b.id).toBe(a.id);
    // The same key with a different request is a conflict, not a silent replay.
    const c = await submit({ request: chatBody('something else') }, { headers: { 'idempotency-key': key } });
    expect(c.status).toBe(409);
    // Another tenant's identical key is its own namespace.
    const d = await (await submit({ request: chatBody('idempotent please') }, { headers: { 'idempotency-key': key }, tenant: 'globex' })).json();
    expect(d.id).not.toBe(a.id);
  });

  test('tenant isolation: another tenant gets 404 for GET and DELETE', async () => {
    const { id } = await (await submit({ request: chatBody('private to acme') })).json();
    const other = await p.http(`/v1/jobs/${id}`, { tenant: 'globex' });
    expect(other.status).toBe(404);
    expect((await other.json()).error.type).toBe('not_found_error');
    expect((await p.http(`/v1/jobs/${id}`, { method: 'DELETE', tenant: 'globex' })).status).toBe(404);
    expect((await p.http(`/v1/jobs/${id}`)).status).toBe(200);
  });

  test('a finished job cannot be cancelled; unknown ids are 404', async () => {
    const { id } = await (await submit({ request: chatBody('finish first') })).json();
    await waitForJob(p, id);
    const res = await p.http(`/v1/jobs/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(409);
    expect((await p.http('/v1/jobs/job_doesnotexist', { method: 'DELETE' })).status).toBe(404);
  });

  test.each([
    ['not JSON', '{"request": ', 400, /not valid JSON/],
    ['an empty JSON array (a bulk submission of nothing; arrays of envelopes are bulk submissions now)', '[]', 400, /at least one job envelope/],
    ['an unknown envelope field', JSON.stringify({ request: chatBody('x'), priority: 'high' }), 400, /priority/],
    ['a wrong type', JSON.stringify({ request: chatBody('x'), latency: 5 }), 400, /latency/],
    ['empty messages', JSON.stringify({ request: { model: 'gpt-4.1-mini', messages: [] } }), 400, /messages/],
    ['a message with a bad role', JSON.stringify({ request: { model: 'gpt-4.1-mini', messages: [{ role: 'wizard', content: 'x' }] } }), 400, /request\.messages/],
    [
      'a tool result without its call',
      JSON.stringify({
        request: {
          model: 'gpt-4.1-mini',
          messages: [
            { role: 'user', content: 'x' },
            { role: 'tool', tool_call_id: 'c1', content: 'y' },
          ],
        },
      }),
      400,
      /tool_call_id/,
    ],
    ['a past deadline', JSON.stringify({ request: chatBody('x'), deadline: '2001-01-01T00:00:00Z' }), 400, /past/],
    ['a malformed deadline', JSON.stringify({ request: chatBody('x'), deadline: 'tomorrow' }), 400, /deadline/],
    ['a non-http callback', JSON.stringify({ request: chatBody('x'), callback_url: 'ftp://example.com/x' }), 400, /callback_url/],
    ['stream in a job', JSON.stringify({ request: chatBody('x', { stream: true }) }), 400, /stream/],
    ['an unknown model', JSON.stringify({ request: chatBody('x', { model: 'gpt-9' }) }), 400, /gpt-9/],
    ['an oversized body', JSON.stringify({ request: chatBody('x'.repeat(300_000)) }), 413, /larger/],
  ])('rejects %s with a clear %d and stores nothing', async (_name, raw, status, message) => {
    const res = await p.http('/v1/jobs', { method: 'POST', body: raw as string, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(Object.keys(body)).toEqual(['error']);
    expect(Object.keys(body.error).sort()).toEqual(['message', 'type']);
    expect(body.error.message).toMatch(message);
  });

  test('a rejected submission leaves no job record and no queue entry behind', async () => {
    const redis = p.app.httpPlatform.redis;
    const jobKeys = async () => (await redis.keys(`${p.prefix}:job:*`)).length;
    const recordsBefore = await jobKeys();
    const queuedBefore = await p.app.httpPlatform.pipelineQueue.count();
    const res = await submit({ request: chatBody('valid chat body'), model: 'gpt-9' }, { headers: { 'idempotency-key': 'rejected-1' } });
    expect(res.status).toBe(400);
    expect(await jobKeys()).toBe(recordsBefore);
    expect(await p.app.httpPlatform.pipelineQueue.count()).toBe(queuedBefore);
    expect(await redis.keys(`${p.prefix}:idem:*`)).not.toContainEqual(expect.stringContaining('rejected-1'));
  });

  test('health and readiness', async () => {
    expect((await fetch(`${p.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${p.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ redis: 'ok' });
  });

  test('logs never carry API keys or provider keys, and are structured JSON', async () => {
    await submit({ request: chatBody('log check') });
    const text = p.logs.join('\n');
    expect(p.logs.length).toBeGreaterThan(0);
    for (const line of p.logs) expect(() => JSON.parse(line)).not.toThrow();
    expect(text).not.toContain('k-acme-test-1');
    expect(text).not.toContain('sk-test-provider-key');
    expect(text).not.toContain('log check');
  });
});
