import { Catalog } from '../../shared/core/catalog/catalog';
import { startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';

/**
 * Every model of the catalog answers through Parsimony against the
 * simulator (both providers), streamed and not, and is priced from its
 * catalog entry: the simulator knows every catalog model and alias.
 */
let p: TestParsimony | undefined;
beforeAll(async () => {
  p = await startTestParsimony('surfaces-catalog-models', { PARSIMONY_SHADOW_SHARE: '0', PARSIMONY_CACHE: 'off' });
}, 120_000);
afterAll(async () => {
  await p?.close();
});
const catalog = Catalog.load();

test.each(catalog.models.map((m) => [m.id, m.provider]))('%s (%s) answers, streamed and not, priced against the gpt-5.6-sol baseline', async (id) => {
  const client = p!.openai();
  const { data, response } = await client.chat.completions.create({ model: id, messages: [{ role: 'user', content: `Say hello to ${id}.` }], max_tokens: 200 }).withResponse();
  expect(data.choices[0].message.content).toBeTruthy();
  const job = await waitForJob(p!, response.headers.get('x-parsimony-job-id')!);
  expect(job.route.model).toBe(id);
  expect(job.cost.baseline_usd).toBeGreaterThan(0);
  expect(job.cost.actual_usd).toBeGreaterThan(0);
  let text = '';
  for await (const chunk of await client.chat.completions.create({ model: id, messages: [{ role: 'user', content: `Stream hello to ${id}.` }], max_tokens: 200, stream: true }))
    text += chunk.choices[0]?.delta?.content ?? '';
  expect(text.length).toBeGreaterThan(0);
});

test('a dated alias is accepted and answered by its catalog entry', async () => {
  const res = await p!
    .openai()
    .chat.completions.create({ model: 'gpt-5.4-mini-2026-03-17', messages: [{ role: 'user', content: 'Hi' }] })
    .withResponse();
  expect(res.data.choices[0].message.content).toBeTruthy();
  const job = await waitForJob(p!, res.response.headers.get('x-parsimony-job-id')!);
  expect(job.status).toBe('completed');
});
