import { startTestParsimony, type TestParsimony } from '../helpers/parsimony';

/** Per-stage CPU time (issue 17 item 6): every pipeline stage a request ran through shows its CPU on /metrics. */
let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('stage-cpu');
}, 120_000);
afterAll(async () => {
  await p?.close();
});

const cpuByStage = async (): Promise<Map<string, number>> => {
  const text = await (await p.http('/metrics', { tenant: null })).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^parsimony_stage_cpu_seconds_total\{stage="([^"]+)"\} (\S+)$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
};

test('fast-path requests add CPU seconds to every stage they ran, and to the after-complete hooks', async () => {
  const before = await cpuByStage();
  const client = p.openai();
  for (let i = 0; i < 5; i++) await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: `stage cpu question ${i}: name a bird` }] });
  const after = await cpuByStage();
  for (const stage of ['validate', 'route', 'execute']) {
    expect(after.get(stage)).toBeGreaterThan(before.get(stage) ?? 0);
  }
  expect([...after.keys()].some((s) => s.endsWith(':after_complete'))).toBe(true);
  // CPU seconds, not microseconds: five small requests cost well under a CPU second per stage.
  expect(after.get('execute')! - (before.get('execute') ?? 0)).toBeLessThan(5);
}, 60_000);
