import { JobStore } from '../../shared/core/jobs/job-store';
import type { JobRecord } from '../../shared/core/jobs/job-record';
import { prepareSubmission } from '../../services/producer/job-submission';
import { chatBody, startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';

/**
 * A producer killed between storing a job and queueing it (the chaos run's
 * SIGKILLs) leaves a 'queued' record no worker will ever see. The client got
 * no answer and retries with the same Idempotency-Key: the replay must queue
 * the job, or it is acknowledged and lost. Before the fix the replay
 * answered 200 and nothing ever ran it.
 */
let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('idem-replay', { PARSIMONY_CACHE: 'off' });
}, 120_000);
afterAll(async () => {
  await p?.close();
});

/** Stores the record exactly as POST /v1/jobs would (the route's own envelope mapping), then "dies" before queueing it. */
async function storeWithoutQueueing(text: string, key: string): Promise<string> {
  const { request, options } = await prepareSubmission({ request: chatBody(text) }, { tenant: 'acme', headerKey: key, checkCallback: async () => undefined });
  const job: JobRecord = { id: JobStore.newId(), tenant: 'acme', status: 'queued', created_at: new Date().toISOString(), options, request, attempts: 0 };
  const { created } = await p.app.httpPlatform.store.create(job, key);
  expect(created).toBe(true);
  return job.id;
}

test('a replay of a job stored but never queued queues it, and it completes once', async () => {
  const id = await storeWithoutQueueing('stored before the crash', 'replay-key-1');
  const res = await p.http('/v1/jobs', { method: 'POST', headers: { 'idempotency-key': 'replay-key-1' }, json: { request: chatBody('stored before the crash') } });
  expect(res.status).toBe(200);
  expect((await res.json()).id).toBe(id);
  const job = await waitForJob(p, id, undefined, 15_000);
  expect(job.status).toBe('completed');
  expect(job.attempts).toBe(1);
});

test('a replay of a job already queued or finished changes nothing (no second run)', async () => {
  const first = await (await p.http('/v1/jobs', { method: 'POST', headers: { 'idempotency-key': 'replay-key-2' }, json: { request: chatBody('normal path') } })).json();
  const done = await waitForJob(p, first.id);
  const calls = p.sim.stats().chat_calls;
  for (let i = 0; i < 3; i++) {
    const again = await p.http('/v1/jobs', { method: 'POST', headers: { 'idempotency-key': 'replay-key-2' }, json: { request: chatBody('normal path') } });
    expect(again.status).toBe(200);
    expect((await again.json()).id).toBe(first.id);
  }
  await new Promise((r) => setTimeout(r, 500));
  expect(p.sim.stats().chat_calls).toBe(calls);
  expect(await waitForJob(p, first.id)).toEqual(done);
});
