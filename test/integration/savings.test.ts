import { chatBody, startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';

let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('savings');
}, 120_000);
afterAll(async () => {
  await p.close();
});

const LEVERS = ['routing', 'cache', 'context', 'compression', 'prompt_cache', 'batch'] as const;

test('the savings report equals the sum of the jobs, and every job obeys the waterfall identity', async () => {
  const submissions = [
    { request: chatBody('one', { model: 'gpt-4.1-nano' }), task: 'classify' },
    { request: chatBody('two', { model: 'gpt-4.1' }), task: 'plan' },
    { request: chatBody('three', { model: 'claude-haiku-4-5' }), task: 'classify' },
    { request: chatBody('four'), latency: 'sync' },
  ];
  const ids: string[] = [];
  for (const body of submissions) ids.push((await (await p.http('/v1/jobs', { method: 'POST', json: body })).json()).id);
  const jobs = await Promise.all(ids.map((id) => waitForJob(p, id)));
  for (const job of jobs) {
    expect(job.status).toBe('completed');
    const levers = LEVERS.reduce((sum, lever) => sum + job.cost.by_lever[lever], 0);
    expect(job.cost.actual_usd).toBeCloseTo(job.cost.baseline_usd - levers + job.cost.overhead_usd, 10);
  }
  // Polling a finished job again and again never counts it twice.
  for (const id of ids) await p.http(`/v1/jobs/${id}`);

  const report = await (await p.http('/v1/savings')).json();
  const sum = (pick: (job: { cost: { baseline_usd: number; actual_usd: number; by_lever: Record<string, number> } }) => number) => jobs.reduce((total, job) => total + pick(job), 0);
  expect(report.requests).toBe(jobs.length);
  expect(report.baseline_usd).toBeCloseTo(
    sum((j) => j.cost.baseline_usd),
    8,
  );
  expect(report.actual_usd).toBeCloseTo(
    sum((j) => j.cost.actual_usd),
    8,
  );
  for (const lever of LEVERS)
    expect(report.by_lever[lever]).toBeCloseTo(
      sum((j) => j.cost.by_lever[lever]),
      8,
    );
  expect(report.routing_mix).toEqual({ small: 2, mid: 1, frontier: 1 });

  const byTask = await (await p.http('/v1/savings?group_by=task')).json();
  const classify = byTask.groups.find((g: { key: string }) => g.key === 'classify');
  expect(classify.requests).toBe(2);
  const byModel = await (await p.http('/v1/savings?group_by=model')).json();
  expect(byModel.groups.map((g: { key: string }) => g.key).sort()).toEqual(['claude-haiku-4-5', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano']);

  // Another tenant sees none of it.
  const other = await (await p.http('/v1/savings', { tenant: 'globex' })).json();
  expect(other.requests).toBe(0);
});

test('bad report queries are 400s', async () => {
  expect((await p.http('/v1/savings?from=yesterday')).status).toBe(400);
  expect((await p.http('/v1/savings?from=2026-02-01&to=2026-01-01')).status).toBe(400);
  expect((await p.http('/v1/savings?group_by=colour')).status).toBe(400);
});
