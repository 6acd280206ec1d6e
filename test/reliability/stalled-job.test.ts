import { Redis } from 'ioredis';
import { JobStore } from '../../shared/core/jobs/job-store';
import type { JobRecord } from '../../shared/core/jobs/job-record';
import { ChatCompletionBodySchema } from '../../shared/surfaces/chat-completions/request-schema';
import { openAIBodyToChatRequest } from '../../shared/surfaces/chat-completions/to-internal';
import { JOB_NAMES } from '../../shared/platform/queues/queue-catalog';
import { REDIS_URL } from '../helpers/redis';
import { chatBody, startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';

/**
 * A job whose workers keep dying under it is given up by BullMQ ("job
 * stalled more than allowable limit", applied when a worker next fetches
 * it). Before the fix its record stayed 'running' forever: an acknowledged
 * job lost. Now the record fails with the reason. The stall count is set
 * the way BullMQ's stalled check leaves it (the deferred-failure field), so
 * the test needs no four kills.
 */
let p: TestParsimony;
let redis: Redis;
beforeAll(async () => {
  p = await startTestParsimony('stalled', { PARSIMONY_CACHE: 'off' });
  redis = new Redis(REDIS_URL);
}, 120_000);
afterAll(async () => {
  redis?.disconnect();
  await p?.close();
});

test('a job BullMQ gives up on (stalled too often) ends failed with a reason instead of running forever', async () => {
  const body = ChatCompletionBodySchema.parse(chatBody('stalled too often'));
  const job: JobRecord = {
    id: JobStore.newId(),
    tenant: 'acme',
    status: 'running',
    created_at: new Date().toISOString(),
    options: { requested_model: body.model, latency: 'async' },
    request: openAIBodyToChatRequest(body),
    attempts: 4,
  };
  await p.app.httpPlatform.store.create(job);
  // Queued with a short delay, so the stall verdict is in place before a worker fetches it.
  const queue = p.app.httpPlatform.pipelineQueue;
  await queue.add(JOB_NAMES.runPipeline, { jobId: job.id, tenant: 'acme' }, { jobId: job.id, delay: 500, attempts: 5 });
  await redis.hset(`${p.app.httpPlatform.bullPrefix}:pipeline:${job.id}`, 'defa', 'job stalled more than allowable limit');

  const failed = await waitForJob(p, job.id, undefined, 15_000);
  expect(failed.status).toBe('failed');
  expect(failed.error).toEqual({ type: 'internal_error', message: expect.stringContaining('stalled more than allowable limit') });
  // The provider was never called for it.
  expect(p.sim.stats().chat_calls).toBe(0);
});

test('a job that fails an attempt and is retried is not touched by the give-up path', async () => {
  p.sim.faults.add({ status: 500, times: 1, match: { contains: 'one failure then fine' } });
  const { id } = await (await p.http('/v1/jobs', { method: 'POST', json: { request: chatBody('one failure then fine') } })).json();
  const job = await waitForJob(p, id, undefined, 15_000);
  expect(job.status).toBe('completed');
  expect(job.attempts).toBe(2);
});
