import { createHash } from 'node:crypto';
import { startTestParsimony, type TestParsimony } from '../helpers/parsimony';

let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('prompts');
}, 120_000);
afterAll(async () => {
  await p.close();
});

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const ORIGINAL = 'You are a helpful support agent for Acme. You must always be polite and courteous. Always verify the customer id before anything else.';
const COMPRESSED = 'You are a polite Acme support agent. Verify the customer id first.';
const report = {
  cases: 20,
  original_sha256: sha(ORIGINAL),
  compressed_sha256: sha(COMPRESSED),
  model: 'gpt-4.1-mini',
  agreement: 0.98,
  exact: 0.95,
  json_equal: null,
  similarity: 0.99,
  tokens: { original: 600, compressed: 300, saved: 300, saved_pct: 0.5 },
};

async function ask(tenant: 'acme' | 'globex') {
  const { response } = await p
    .openai(tenant)
    .chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: ORIGINAL },
        { role: 'user', content: 'Where is my parcel?' },
      ],
    })
    .withResponse();
  return (await p.http(`/v1/jobs/${response.headers.get('x-parsimony-job-id')}`, { tenant })).json();
}

test('an approved variant replaces its original for its tenant only, and lists its savings', async () => {
  const res = await p.http('/v1/prompts', { method: 'POST', json: { original: ORIGINAL, compressed: COMPRESSED, regression_report: report } });
  expect(res.status).toBe(201);
  const list = await (await p.http('/v1/prompts')).json();
  expect(list.data).toHaveLength(1);
  expect(list.data[0]).toMatchObject({ original_sha256: sha(ORIGINAL), measured_saved_pct: 0.5 });
  expect((await (await p.http('/v1/prompts', { tenant: 'globex' })).json()).data).toEqual([]);

  const acme = await ask('acme');
  const globex = await ask('globex');
  expect(acme.compression.variant).toBeTruthy();
  expect(globex.compression?.variant ?? null).toBeNull();
  expect(acme.usage.input_tokens).toBeLessThan(globex.usage.input_tokens);
  expect(acme.cost.by_lever.compression).toBeGreaterThan(0);
});

test('a report that does not match the texts, or an unknown variant, is refused', async () => {
  const bad = await p.http('/v1/prompts', { method: 'POST', json: { original: ORIGINAL, compressed: 'something else', regression_report: report } });
  expect(bad.status).toBe(400);
  expect((await bad.json()).error.message).toMatch(/compressed_sha256/);
  expect((await p.http(`/v1/prompts/${sha('nope')}`, { method: 'DELETE' })).status).toBe(404);
  expect((await p.http('/v1/prompts/../../etc', { method: 'DELETE' })).status).toBe(404);
});
