import type { CacheAnnotation } from '../../shared/levers/cache/cache-stage';
import { cacheHeaders } from '../../shared/levers/cache/cache-stage';
import { cacheFixture } from './cache-stage-fixture';
import { answer, chat, pipelineContext, testRedis } from './cache-test-helpers';

const r = testRedis('stage');
afterAll(() => r.cleanup());
let n = 0;
const tenant = () => `tenant-${++n}`;
const annotation = (ctx: { annotations: Record<string, unknown> }) => ctx.annotations.cache as CacheAnnotation;

describe('cache stage: exact and semantic tiers', () => {
  const f = cacheFixture(r.redis, r.prefix);

  test('a first request misses, an identical one hits the exact tier with no provider call', async () => {
    const t = tenant();
    const first = pipelineContext(t, chat('How do I reset my password?'));
    expect((await f.serve(first, answer('Click "forgot password".'))).fromCache).toBe(false);
    expect(annotation(first)).toMatchObject({ hit: false, status: 'miss' });
    expect(cacheHeaders(first.annotations.cache)).toEqual({ 'x-parsimony-cache': 'miss' });

    const again = pipelineContext(t, chat('  how do I reset my   PASSWORD? '));
    const outcome = await f.stage.run(again);
    expect(outcome).toMatchObject({ kind: 'complete', deliveredBy: 'cache', response: { content: 'Click "forgot password".' } });
    expect(annotation(again)).toMatchObject({ hit: true, status: 'hit', kind: 'exact', similarity: 1 });
    expect(typeof annotation(again).entry_id).toBe('string');
    expect(again.ledger.cacheHit).toBe(true);
    expect(cacheHeaders(again.annotations.cache)).toEqual({ 'x-parsimony-cache': 'hit', 'x-parsimony-cache-similarity': '1.0000' });
  });

  test('a paraphrase hits the semantic tier with its similarity', async () => {
    const t = tenant();
    await f.serve(pipelineContext(t, chat('How can I cancel my subscription?')), answer('Go to Settings > Billing.'));
    const ctx = pipelineContext(t, chat('How do I cancel my subscription?'));
    const outcome = await f.stage.run(ctx);
    expect(outcome).toMatchObject({ kind: 'complete', response: { content: 'Go to Settings > Billing.' } });
    const a = annotation(ctx);
    expect(a).toMatchObject({ hit: true, kind: 'semantic' });
    expect(a.similarity).toBeGreaterThan(0.9);
    expect(a.similarity).toBeLessThan(1);
  });

  test('an unrelated question misses', async () => {
    const t = tenant();
    await f.serve(pipelineContext(t, chat('How can I cancel my subscription?')), answer('Settings.'));
    const ctx = pipelineContext(t, chat('What is the boiling point of water?'));
    expect(await f.stage.run(ctx)).toEqual({ kind: 'continue' });
    expect(annotation(ctx).status).toBe('miss');
  });

  test('a near-identical question with a swapped entity is turned away by the verifier, not served', async () => {
    const t = tenant();
    await f.serve(pipelineContext(t, chat('What is the best hotel in Munnar for couples?')), answer('Hotel A.'));
    const ctx = pipelineContext(t, chat('What is the best hotel in Khandala for couples?'));
    expect(await f.stage.run(ctx)).toEqual({ kind: 'continue' });
    expect(annotation(ctx).rejected_by).toEqual({ verifier: 1 });
    expect(annotation(ctx).score).toBeLessThan(annotation(ctx).threshold!);
  });

  test('mode "exact" never serves a paraphrase; mode "off" bypasses and stores nothing', async () => {
    const t = tenant();
    await f.serve(pipelineContext(t, chat('How can I export my data?')), answer('Use the export button.'));
    const exactOnly = pipelineContext(t, chat('How do I export my data?'), { cache: { mode: 'exact' } });
    expect(await f.stage.run(exactOnly)).toEqual({ kind: 'continue' });

    const before = f.enqueued.length;
    const off = pipelineContext(t, chat('How can I export my data?'), { cache: { mode: 'off' } });
    expect((await f.serve(off, answer('fresh'))).fromCache).toBe(false);
    expect(annotation(off).status).toBe('bypass');
    expect(cacheHeaders(off.annotations.cache)['x-parsimony-cache']).toBe('bypass');
    expect(f.enqueued.length).toBe(before);
  });

  test('mode "refresh" skips the lookup and replaces the stored answer', async () => {
    const t = tenant();
    await f.serve(pipelineContext(t, chat('What is our refund window?')), answer('14 days.'));
    const refresh = pipelineContext(t, chat('What is our refund window?'), { cache: { mode: 'refresh' } });
    expect((await f.serve(refresh, answer('30 days.'))).fromCache).toBe(false);
    const later = await f.stage.run(pipelineContext(t, chat('What is our refund window?')));
    expect(later).toMatchObject({ kind: 'complete', response: { content: '30 days.' } });
  });

  test('multi-turn: with the same earlier turns the last user turn is matched by meaning; other earlier turns never match', async () => {
    const t = tenant();
    const history = (last: string) =>
      chat(last, {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'I use the Pro plan.' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'Noted.' }] },
          { role: 'user', content: [{ type: 'text', text: last }] },
        ],
      });
    await f.serve(pipelineContext(t, history('How can I cancel my subscription?')), answer('Pro: Settings.'));
    const paraphrase = pipelineContext(t, history('How do I cancel my subscription?'));
    expect(await f.stage.run(paraphrase)).toMatchObject({ kind: 'complete', response: { content: 'Pro: Settings.' } });
    expect(annotation(paraphrase)).toMatchObject({ hit: true, kind: 'semantic' });
    const otherPlan = pipelineContext(
      t,
      chat('How do I cancel my subscription?', {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'I use the Free plan.' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'Noted.' }] },
          { role: 'user', content: [{ type: 'text', text: 'How do I cancel my subscription?' }] },
        ],
      }),
    );
    expect(await f.stage.run(otherPlan)).toEqual({ kind: 'continue' });
    const longer = pipelineContext(t, history('How do I cancel my subscription?'), {}, 'mid');
    f.policies[t] = { max_semantic_turns: 1 };
    expect(await f.stage.run(longer)).toEqual({ kind: 'continue' });
    delete f.policies[t];
    const same = pipelineContext(t, history('How can I cancel my subscription?'));
    expect(await f.stage.run(same)).toMatchObject({ kind: 'complete', response: { content: 'Pro: Settings.' } });
  });

  test('an invalid cache option is ignored (treated as default), not fatal', async () => {
    const ctx = pipelineContext(tenant(), chat('hello there'), { cache: { mode: 'sometimes' } });
    expect(await f.stage.run(ctx)).toEqual({ kind: 'continue' });
    expect(annotation(ctx).status).toBe('miss');
  });
});

describe('cache stage: what is never cached', () => {
  const f = cacheFixture(r.redis, r.prefix);

  test.each([
    ['truncated (finish_reason length)', answer('Partial ans', { finish_reason: 'length' })],
    ['tool calls', answer('', { content: null, finish_reason: 'tool_calls', tool_calls: [{ id: 'c1', name: 'lookup', arguments: '{}' }] })],
    ['content-filtered', answer('', { finish_reason: 'content_filter' })],
    ['empty', answer('')],
  ])('%s responses are not stored', async (_, response) => {
    const t = tenant();
    await f.serve(pipelineContext(t, chat('Tell me about the weather in Paris')), response);
    const ctx = pipelineContext(t, chat('Tell me about the weather in Paris'));
    expect(await f.stage.run(ctx)).toEqual({ kind: 'continue' });
  });

  test('a failed job (provider error: afterComplete never runs) leaves nothing behind, and the lock is released', async () => {
    const t = tenant();
    const failing = pipelineContext(t, chat('What is the uptime SLA?'));
    expect(await f.stage.run(failing)).toEqual({ kind: 'continue' });
    await f.stage.onFailed(failing); // the spine calls this when the provider call fails
    const next = pipelineContext(t, chat('What is the uptime SLA?'));
    expect(await f.stage.run(next)).toEqual({ kind: 'continue' });
    expect(annotation(next).status).toBe('miss');
  });

  test('the writer refuses an error-shaped or malformed payload', async () => {
    const res = await f.writer.store({ tenant: 't', job_id: 'j', response: { error: { message: 'rate limited' } } });
    expect(res).toMatchObject({ stored: false, reason: 'invalid_payload' });
  });

  test('tool-call responses are stored when the tenant allows it', async () => {
    const t = tenant();
    f.policies[t] = { cache_tool_calls: true };
    const call = answer('', { content: null, finish_reason: 'tool_calls', tool_calls: [{ id: 'c1', name: 'lookup', arguments: '{"q":1}' }] });
    await f.serve(pipelineContext(t, chat('Look up order 42')), call);
    expect(await f.stage.run(pipelineContext(t, chat('Look up order 42')))).toMatchObject({ kind: 'complete', response: { tool_calls: [{ name: 'lookup' }] } });
  });
});
