import { BULK_MAX_JOBS } from '../../services/producer/routes/jobs-bulk';
import { chatBody, startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';

/** POST /v1/jobs with an array body: many envelopes, one queue write, all-or-nothing validation. Real HTTP. */
let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('jobs-bulk');
}, 120_000);
afterAll(async () => {
  await p?.close();
});

const post = (json: unknown, headers: Record<string, string> = {}) => p.http('/v1/jobs', { method: 'POST', json, headers });
/** Job records stored under this test's prefix (a half-stored bulk submission would show here). */
const recordCount = async (): Promise<number> => {
  const redis = p.app.workerPlatform.redis;
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${p.prefix}:job:*`, 'COUNT', 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
};

describe('bulk POST /v1/jobs', () => {
  test('accepts an array of envelopes of any surface: 202 with one { id, object, status } each; every job completes', async () => {
    const envelopes = [
      { request: chatBody('bulk one: name a river') },
      { request: chatBody('bulk two: name a mountain'), metadata: { n: 2 } },
      { surface: 'responses', request: { model: 'gpt-4.1-mini', input: 'bulk three: name a lake' } },
    ];
    const res = await post(envelopes);
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body.object).toBe('list');
    expect(body.data).toHaveLength(3);
    for (const item of body.data) expect(item).toEqual({ id: expect.stringMatching(/\S/), object: 'job', status: 'queued' });
    expect(new Set(body.data.map((d: { id: string }) => d.id)).size).toBe(3);
    const done = await Promise.all(body.data.map((d: { id: string }) => waitForJob(p, d.id, undefined, 30_000)));
    expect(done.map((j) => j.status)).toEqual(['completed', 'completed', 'completed']);
    expect(done[1].metadata).toEqual({ n: 2 });
    expect(done[2].response.object).toBe('response');
  }, 60_000);

  test('idempotency keys per element: a replay returns the same ids (200) and stores nothing new', async () => {
    const envelopes = [
      { request: chatBody('idem bulk a'), idempotency_key: 'bulk-a' },
      { request: chatBody('idem bulk b'), idempotency_key: 'bulk-b' },
    ];
    const first = await (await post(envelopes)).json();
    const again = await post(envelopes);
    expect(again.status).toBe(200);
    expect((await again.json()).data.map((d: { id: string }) => d.id)).toEqual(first.data.map((d: { id: string }) => d.id));
    // A new element beside a replayed one: 202, the replayed id kept, one new job.
    const mixed = await post([envelopes[0], { request: chatBody('idem bulk c'), idempotency_key: 'bulk-c' }]);
    expect(mixed.status).toBe(202);
    const mixedIds = (await mixed.json()).data.map((d: { id: string }) => d.id);
    expect(mixedIds[0]).toBe(first.data[0].id);
    expect(first.data.map((d: { id: string }) => d.id)).not.toContain(mixedIds[1]);
  }, 30_000);

  test('all or nothing: one bad element is a 400 naming its index, and no job of the array is stored or queued', async () => {
    const before = await recordCount();
    expect(before).toBeGreaterThan(0);
    const res = await post([{ request: chatBody('fine element zero') }, { request: chatBody('fine element one') }, { request: { model: 'gpt-4.1-mini', messages: 'not a list' } }]);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/^jobs\[2\]: /);
    expect(body.error.message).toMatch(/request\.messages/);
    expect(await recordCount()).toBe(before);

    const unknownModel = await post([{ request: chatBody('x') }, { request: chatBody('y', { model: 'no-such-model-xyz' }) }]);
    expect(unknownModel.status).toBe(400);
    expect((await unknownModel.json()).error.message).toMatch(/^jobs\[1\]: .*no-such-model-xyz/);

    const notEnvelope = await post([{ request: chatBody('x') }, 42]);
    expect(notEnvelope.status).toBe(400);
    expect((await notEnvelope.json()).error.message).toMatch(/^jobs\[1\]: /);

    const sync = await post([{ request: chatBody('x'), latency: 'sync' }]);
    expect((await sync.json()).error.message).toMatch(/^jobs\[0\]: latency: "sync"/);

    const dupKeys = await post([
      { request: chatBody('x'), idempotency_key: 'k' },
      { request: chatBody('y'), idempotency_key: 'k' },
    ]);
    expect((await dupKeys.json()).error.message).toMatch(/^jobs\[1\]: .*jobs\[0\]/);
    expect(await recordCount()).toBe(before);
  }, 30_000);

  test('limits: an empty array, more than the cap, and an Idempotency-Key header are 400s', async () => {
    expect((await post([])).status).toBe(400);
    const tooMany = await post(Array.from({ length: BULK_MAX_JOBS + 1 }, () => ({ request: chatBody('x') })));
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error.message).toMatch(new RegExp(`at most ${BULK_MAX_JOBS}`));
    const header = await post([{ request: chatBody('x') }], { 'idempotency-key': 'whole-array' });
    expect(header.status).toBe(400);
    expect((await header.json()).error.message).toMatch(/one idempotency_key per element/);
  }, 30_000);

  test('a full array of the cap is accepted in one request', async () => {
    const res = await post(Array.from({ length: BULK_MAX_JOBS }, (_, i) => ({ request: chatBody(`cap element ${i}`), metadata: { i } })));
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body.data).toHaveLength(BULK_MAX_JOBS);
    const last = await waitForJob(p, body.data[BULK_MAX_JOBS - 1].id, (j) => j.status !== undefined);
    expect(last.metadata).toEqual({ i: BULK_MAX_JOBS - 1 });
  }, 60_000);
});
