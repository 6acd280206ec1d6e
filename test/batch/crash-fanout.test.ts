import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { batchJob, savings, startBatchHarness, type BatchHarness } from './harness';

/**
 * A batch-submitter that dies once the provider batch has completed but
 * before (or while) its results are fanned out to the jobs: the next one
 * collects the batch again, and every job still ends exactly once (each
 * completion is a compare-and-set from 'deferred'; savings count once).
 */
const ENTRY = join(__dirname, '../../dist/services/batch-submitter/main.js');

let h: BatchHarness | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await h?.close();
  h = undefined;
});

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 15_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
};

test('killed in the middle of the fan-out → the rest is applied on restart, each job once', async () => {
  h = await startBatchHarness('crash-fanout', { submitter: false });
  const harness = h;
  let stopped = false;
  harness.startSubmitter({
    probes: {
      // One result applied, then the process dies.
      beforeResult: async (_intent, index, lease) => {
        if (index < 1) return;
        lease.abandon();
        await new Promise((r) => setTimeout(r, 300)); // result 0 is applied by now
        stopped = true;
        await new Promise(() => {});
      },
    },
  });
  const ids = await Promise.all([1, 2, 3, 4].map((i) => harness.submit(batchJob('claude-haiku-4-5', `Summarise review RV-${i}`))));
  await until(() => stopped);
  await harness.killSubmitter();
  const before = await Promise.all(ids.map((id) => harness.job(id)));
  expect(before.filter((j) => j.status === 'completed')).toHaveLength(1);
  expect(before.filter((j) => j.status === 'deferred')).toHaveLength(3);

  harness.startSubmitter();
  const jobs = await Promise.all(ids.map((id) => harness.waitFor(id)));
  expect(jobs.every((j) => j.status === 'completed' && j.delivered_by === 'batch')).toBe(true);
  // The job completed before the crash kept its first result.
  const first = before.find((j) => j.status === 'completed');
  expect(jobs.find((j) => j.id === first.id).completed_at).toBe(first.completed_at);
  expect(harness.sim.stats().batches_created).toBe(1);
  expect(Number((await savings(harness))['all|requests'])).toBe(4);
});

test('the built service SIGKILLed while its batch runs → a new process collects it, each job once', async () => {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run "npm run build" first (npm test does)`);
  h = await startBatchHarness('crash-sigkill', { submitter: false, sim: { batchSeconds: 2 } });
  const harness = h;
  const start = () => {
    const child = spawn(process.execPath, [ENTRY], { env: { ...process.env, ...harness.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(child);
    return child;
  };
  const first = start();
  const ids = await Promise.all([1, 2, 3].map((i) => harness.submit(batchJob('gpt-4.1-mini', `Classify ticket TCK-${i}`))));
  await until(() => harness.sim.stats().batches_created === 1);
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));

  // The provider finishes the batch while no submitter runs.
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${harness.sim.url}/v1` });
  await until(async () => (await client.batches.list()).data[0]?.status === 'completed');
  expect((await Promise.all(ids.map((id) => harness.job(id)))).every((j) => j.status === 'deferred')).toBe(true);

  start();
  const jobs = await Promise.all(ids.map((id) => harness.waitFor(id, undefined, 20_000)));
  expect(jobs.every((j) => j.status === 'completed' && j.delivered_by === 'batch' && j.cost.by_lever.batch > 0)).toBe(true);
  expect(harness.sim.stats().batches_created).toBe(1);
  expect(Number((await savings(harness))['all|requests'])).toBe(3);
});
