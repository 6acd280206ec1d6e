import { chatBody, startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';

let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('faults', { PARSIMONY_JOB_ATTEMPTS: '4' });
}, 120_000);
afterAll(async () => {
  await p.close();
});
afterEach(() => {
  p.sim.faults.clear();
});

/** Every HTTP request the provider saw on its chat endpoint, failed ones included. */
const chatCalls = () => p.sim.stats().requests['/v1/chat/completions'] ?? 0;

describe('provider faults', () => {
  test('fast path retries a 429 (honouring retry-after) and a 500, then answers', async () => {
    p.sim.faults.add({ status: 429, retry_after_seconds: 1, times: 1, match: { contains: 'fast-429' } });
    p.sim.faults.add({ status: 500, times: 1, match: { contains: 'fast-429' } });
    const before = chatCalls();
    const started = Date.now();
    const res = await p.openai().chat.completions.create(chatBody('fast-429 please') as never);
    expect(res.choices[0].message.content).toBeTruthy();
    expect(chatCalls() - before).toBe(3);
    // The provider asked for 1 s; the retry waited at least that long.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  test('fast path fails fast on a provider 400 with the provider message, one call only', async () => {
    p.sim.faults.add({ status: 400, times: 1, match: { contains: 'fast-400' } });
    const before = chatCalls();
    const err = await p
      .openai()
      .chat.completions.create(chatBody('fast-400 please') as never)
      .catch((e) => e);
    expect(err.status).toBe(400);
    expect(chatCalls() - before).toBe(1);
  });

  test('queued job: 429 and 500 are retried by the queue with backoff, then completed', async () => {
    p.sim.faults.add({ status: 429, retry_after_seconds: 1, times: 1, match: { contains: 'queued-retry' } });
    p.sim.faults.add({ status: 503, times: 1, match: { contains: 'queued-retry' } });
    const { id } = await (await p.http('/v1/jobs', { method: 'POST', json: { request: chatBody('queued-retry please') } })).json();
    const job = await waitForJob(p, id, undefined, 30_000);
    expect(job.status).toBe('completed');
    expect(job.attempts).toBe(3);
  });

  test('queued job: a provider 400 fails the job at once with the provider message', async () => {
    p.sim.faults.add({ status: 400, times: 1, match: { contains: 'queued-400' } });
    const before = chatCalls();
    const { id } = await (await p.http('/v1/jobs', { method: 'POST', json: { request: chatBody('queued-400 please') } })).json();
    const job = await waitForJob(p, id);
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(1);
    expect(job.error.type).toBe('provider_error');
    expect(job.error.message).toMatch(/openai 400/);
    expect(chatCalls() - before).toBe(1);
  });

  test('queued job: retries run out, then the job fails with the last provider error', async () => {
    p.sim.faults.add({ status: 500, times: 10, match: { contains: 'always-500' } });
    const { id } = await (await p.http('/v1/jobs', { method: 'POST', json: { request: chatBody('always-500 please') } })).json();
    const job = await waitForJob(p, id, undefined, 60_000);
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(4);
    expect(job.error.message).toMatch(/500/);
  });
});
