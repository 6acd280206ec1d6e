import { startBatchHarness, type BatchHarness } from '../batch/harness';

/**
 * The verified cache end to end with the simulator: every semantic hit
 * (share 1) is answered again by the routed model through the batch API; a
 * check that agrees keeps the scope's threshold, one that disagrees raises it
 * past the failed hit's score and removes the entry; GET /v1/cache/quality
 * reports it all for the caller's tenant.
 */
let h: BatchHarness;
beforeAll(async () => {
  h = await startBatchHarness('cache-quality', { cache: true, env: { PARSIMONY_CACHE_CHECK_SHARE: '1', PARSIMONY_CACHE_CHECK_MS: '150', PARSIMONY_SHADOW_SHARE: '0' } });
}, 120_000);
afterAll(async () => {
  await h?.close();
});
afterEach(() => h.sim.faults.clear());

const Q = 'How do I reset my account password?';
const P1 = 'How can I reset my account password?';
const P2 = 'How do I reset my account password please?';
const ask = async (text: string) => {
  const res = await h.http('/v1/chat/completions', { method: 'POST', json: { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: text }] } });
  expect(res.status).toBe(200);
  return { cache: res.headers.get('x-parsimony-cache'), jobId: res.headers.get('x-parsimony-job-id')!, body: await res.json() };
};
const quality = async () => {
  const res = await h.http('/v1/cache/quality');
  expect(res.status).toBe(200);
  return res.json();
};
async function untilChecked(n: number, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const q = await quality();
    if (q.scopes[0]?.checked >= n) return q;
    if (Date.now() > until) throw new Error(`not checked ${n} times in time: ${JSON.stringify(q)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

test('checks that agree keep the threshold; a check that disagrees raises it and removes the entry', async () => {
  expect(await quality()).toMatchObject({ object: 'cache.quality', max_error: 0.02, check_share: 1, scopes: [] });
  const first = await ask(Q);
  expect(first.cache).toBe('miss');
  const cached = first.body.choices[0].message.content as string;
  const until = Date.now() + 10_000;
  while ((await ask(Q)).cache !== 'hit' && Date.now() < until) await new Promise((r) => setTimeout(r, 100));

  // Agreeing check: the routed model, asked the paraphrase through the batch API, gives the cached answer.
  h.sim.faults.add({ match: { path: '/v1/chat/completions', contains: P1 }, content: cached });
  const hit1 = await ask(P1);
  expect(hit1.cache).toBe('hit');
  expect(hit1.body.choices[0].message.content).toBe(cached);
  const job1 = await h.job(hit1.jobId);
  expect(job1.cache).toMatchObject({ hit: true, kind: 'semantic' });
  // The check's expected batch price is the cache lever's overhead on the hit.
  expect(job1.cost.overhead_usd).toBeGreaterThan(0);
  const afterAgree = await untilChecked(1);
  const scope = afterAgree.scopes[0];
  expect(scope).toMatchObject({ hits: 1, checked: 1, agreed: 1, disagreed: 0, agreement: 1, invalidated: 0, within_bound: false });
  expect(scope.threshold).toBeCloseTo(afterAgree.default_threshold, 3);
  expect(scope.estimated_error.rate).toBe(0);
  expect(scope.estimated_error.high).toBeGreaterThan(0.02); // one check bounds nothing yet
  expect(scope.check_cost_usd).toBeGreaterThan(0);

  // Disagreeing check: the routed model answers the other paraphrase differently.
  h.sim.faults.add({ match: { path: '/v1/chat/completions', contains: P2 }, content: 'Passwords cannot be reset; open a support ticket with billing instead.' });
  const hit2 = await ask(P2);
  expect(hit2.cache).toBe('hit');
  const score2 = (await h.job(hit2.jobId)).cache.score as number;
  const afterDisagree = await untilChecked(2);
  const s2 = afterDisagree.scopes[0];
  expect(s2).toMatchObject({ hits: 2, checked: 2, agreed: 1, disagreed: 1, agreement: 0.5, invalidated: 1 });
  expect(s2.threshold).toBeGreaterThan(scope.threshold);
  expect(s2.threshold).toBeGreaterThanOrEqual(Math.min(0.999, score2 + 0.02) - 1e-4);
  expect(s2.estimated_error.rate).toBe(0.5);

  // The bad entry is gone from both tiers: the original question misses now.
  expect((await ask(Q)).cache).toBe('miss');
}, 90_000);

test('purge with a lone surrogate tag answers 200, not 500', async () => {
  const res = await h.http('/v1/cache/purge', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"tag":"\\ud800"}' });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ object: 'cache.purge', purged: 0 });
});
