import type { CacheAnnotation } from '../../shared/levers/cache/cache-stage';
import type { ChatRequest } from '../../shared/core/chat-model';
import { cacheFixture } from './cache-stage-fixture';
import { answer, chat, pipelineContext, testRedis } from './cache-test-helpers';

const r = testRedis('isolation');
afterAll(() => r.cleanup());
const f = cacheFixture(r.redis, r.prefix);
let n = 0;
const fresh = () => `iso-${++n}`;
const Q = 'How can I cancel my subscription?';
const P = 'How do I cancel my subscription?';

/** Stores an answer for `stored`, then checks neither the same text nor a paraphrase is served to `probe`. */
async function expectIsolated(t1: string, stored: ChatRequest, t2: string, probe: (text: string) => ChatRequest, tier: 'small' | 'mid' | 'frontier' = 'mid') {
  await f.serve(pipelineContext(t1, stored), answer('secret answer'));
  for (const text of [Q, P]) {
    const ctx = pipelineContext(t2, probe(text), {}, tier);
    expect(await f.stage.run(ctx)).toEqual({ kind: 'continue' });
    expect((ctx.annotations.cache as CacheAnnotation).hit).toBe(false);
  }
}

describe('scope isolation: a request is only ever answered from its own scope', () => {
  test('control: same tenant, same scope → served', async () => {
    const t = fresh();
    await f.serve(pipelineContext(t, chat(Q)), answer('A'));
    expect(await f.stage.run(pipelineContext(t, chat(P)))).toMatchObject({ kind: 'complete' });
  });

  test('another tenant never sees the entry (exact or semantic)', async () => {
    await expectIsolated(fresh(), chat(Q), fresh(), (text) => chat(text));
  });

  test('a tenant named like a key prefix of another cannot reach into its keys', async () => {
    const a = fresh();
    await expectIsolated(a, chat(Q), `${a}:x`, (text) => chat(text));
  });

  test('a different system prompt is a different scope', async () => {
    const t = fresh();
    await expectIsolated(t, chat(Q), t, (text) => chat(text, { system: [{ type: 'text', text: 'You are a pirate.' }] }));
  });

  test('different tools or tool_choice are different scopes', async () => {
    const t = fresh();
    const tool = { name: 'cancel', parameters: { type: 'object' } };
    await expectIsolated(t, chat(Q, { tools: [tool] }), t, (text) => chat(text, { tools: [{ ...tool, description: 'Cancels' }] }));
    const u = fresh();
    await expectIsolated(u, chat(Q, { tools: [tool], tool_choice: 'auto' }), u, (text) => chat(text, { tools: [tool], tool_choice: 'required' }));
  });

  test('different sampling params or response_format are different scopes', async () => {
    const t = fresh();
    await expectIsolated(t, chat(Q, { sampling: { temperature: 0 } }), t, (text) => chat(text, { sampling: { temperature: 1 } }));
    const u = fresh();
    await expectIsolated(u, chat(Q), u, (text) => chat(text, { response_format: { type: 'json_object' } }));
  });

  test('different earlier turns are different scopes', async () => {
    const t = fresh();
    const withHistory = (text: string, earlier: string): ChatRequest =>
      chat(text, {
        messages: [
          { role: 'user', content: [{ type: 'text', text: earlier }] },
          { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
          { role: 'user', content: [{ type: 'text', text }] },
        ],
      });
    await expectIsolated(t, withHistory(Q, 'I am on the free plan'), t, (text) => withHistory(text, 'I am on the team plan'));
  });

  test('the routed tier is not a scope: an answer serves its own tier and lower ones, never a higher one', async () => {
    const t = fresh();
    await f.serve(pipelineContext(t, chat(Q), {}, 'mid'), answer('mid-model answer'));
    for (const [tier, text] of [
      ['mid', Q],
      ['small', Q],
      ['small', P],
      ['mid', P],
    ] as const) {
      expect(await f.stage.run(pipelineContext(t, chat(text), {}, tier))).toMatchObject({ kind: 'complete', response: { content: 'mid-model answer' } });
    }
    for (const text of [Q, P]) {
      const ctx = pipelineContext(t, chat(text), {}, 'frontier');
      expect(await f.stage.run(ctx)).toEqual({ kind: 'continue' });
      expect((ctx.annotations.cache as CacheAnnotation).hit).toBe(false);
    }
  });

  test('a higher tier’s answer to the same request replaces the lower one in the exact tier', async () => {
    const t = fresh();
    await f.serve(pipelineContext(t, chat(Q), {}, 'small'), answer('small-model answer'));
    const frontier = pipelineContext(t, chat(Q), {}, 'frontier');
    expect(await f.serve(frontier, answer('frontier answer'))).toMatchObject({ fromCache: false });
    expect(await f.stage.run(pipelineContext(t, chat(Q), {}, 'frontier'))).toMatchObject({ kind: 'complete', response: { content: 'frontier answer' } });
    expect(await f.stage.run(pipelineContext(t, chat(Q), {}, 'small'))).toMatchObject({ kind: 'complete', response: { content: 'frontier answer' } });
  });

  test('n, logprobs and reasoning effort stay hard scope', async () => {
    const t = fresh();
    await f.serve(pipelineContext(t, chat(Q)), answer('one choice'));
    for (const extra of [{ n: 3 }, { logprobs: { top_logprobs: 2 } }, { reasoning: { effort: 'high' as const } }]) {
      expect(await f.stage.run(pipelineContext(t, chat(Q, extra)))).toEqual({ kind: 'continue' });
    }
  });

  test('zero cross-tenant hits over many tenants storing the same questions', async () => {
    const tenants = Array.from({ length: 12 }, fresh);
    for (const t of tenants) await f.serve(pipelineContext(t, chat(Q)), answer(`answer for ${t}`));
    for (const t of tenants) {
      for (const text of [Q, P]) {
        const out = await f.stage.run(pipelineContext(t, chat(text)));
        expect(out).toMatchObject({ kind: 'complete', response: { content: `answer for ${t}` } });
      }
    }
  });
});
