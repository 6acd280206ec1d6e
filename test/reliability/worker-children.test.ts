import { parsimonyMetrics } from '../../shared/platform/metrics/parsimony-metrics';
import { chatBody, startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';

/**
 * PARSIMONY_WORKERS=2: the all-in-one runs a second router-worker as a child
 * process. Jobs complete whichever worker runs them; the child's cache writes
 * land in the main process's one embedded index; its metrics are in the main
 * process's /metrics; and a child killed with jobs in flight loses none of
 * them (BullMQ's stalled check re-delivers them) and is restarted.
 */
let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('worker-children', {
    PARSIMONY_WORKERS: '2',
    PARSIMONY_WORKER_CONCURRENCY: '4',
    PARSIMONY_STALLED_INTERVAL_MS: '500',
    PARSIMONY_JOB_LOCK_MS: '1500',
    // The child logs to stdout; keep it to warnings.
    LOG_LEVEL: 'warn',
  });
}, 120_000);
afterAll(async () => {
  p?.sim.faults.setLatency(0);
  await p?.close();
});

/** parsimony_jobs_finished_total{status="completed"} summed, from the Prometheus text of GET /metrics. */
function completedIn(text: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith('parsimony_jobs_finished_total{') && line.includes('status="completed"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function submit(texts: string[]): Promise<string[]> {
  return Promise.all(
    texts.map(async (text) => {
      const res = await p.http('/v1/jobs', { method: 'POST', json: { request: chatBody(text), latency: 'async' } });
      expect(res.status).toBe(202);
      return (await res.json()).id as string;
    }),
  );
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('jobs complete on both workers, the child writes to the one cache index, and /metrics counts the child too', async () => {
  expect(p.app.workerChildren?.pids()).toHaveLength(1);
  const store = p.app.workerPlatform.cache!.store;
  const indexBefore = await store.count();
  const ownBefore = await completedHere();
  const groupBefore = completedIn(await (await fetch(`${p.url}/metrics`)).text());
  // Slow enough answers that both workers (4 jobs each at once) take some of the 16.
  p.sim.faults.setLatency(300);
  const texts = Array.from({ length: 16 }, (_, i) => `Name one famous river in country number ${i} of the atlas, please (${process.pid}).`);
  const jobs = await Promise.all((await submit(texts)).map((id) => waitForJob(p, id, undefined, 30_000)));
  p.sim.faults.setLatency(0);
  for (const job of jobs) expect(job.status).toBe('completed');

  const group = completedIn(await (await fetch(`${p.url}/metrics`)).text()) - groupBefore;
  const own = (await completedHere()) - ownBefore;
  expect(group).toBe(16);
  // This process finished fewer than all: the child ran the others.
  expect(own).toBeLessThan(16);
  // Every finished answer is in the main process's index, the child's included (an index of its own would miss them).
  await until(async () => (await store.count()) - indexBefore >= 16, 10_000, 'the cache writes');
  expect((await store.count()) - indexBefore).toBe(16);
}, 60_000);

test('a child killed with jobs in flight loses none of them, and is restarted', async () => {
  const [pid] = p.app.workerChildren!.pids();
  p.sim.faults.setLatency(1_500);
  const texts = Array.from({ length: 12 }, (_, i) => `Give one synonym for the word number ${i} of the list (${process.pid}).`);
  const ids = await submit(texts);
  // Both workers full (4 + 4 active): four of the jobs are in the child's hands.
  await until(async () => (await p.app.httpPlatform.pipelineQueue.getActiveCount()) === 8, 15_000, 'both workers to be busy');
  process.kill(pid, 'SIGKILL');
  p.sim.faults.setLatency(0);
  const jobs = await Promise.all(ids.map((id) => waitForJob(p, id, undefined, 30_000)));
  for (const job of jobs) expect(job.status).toBe('completed');
  // The child's four were re-delivered by the stalled check and run again (the runner counts each start).
  expect(jobs.filter((job) => job.attempts >= 2).length).toBeGreaterThanOrEqual(4);
  expect(p.logs.some((line) => line.includes('pipeline worker child died'))).toBe(true);
  await until(async () => (p.app.workerChildren!.pids()[0] ?? pid) !== pid, 15_000, 'the restarted child');
}, 90_000);

/** Jobs this (the main) process completed, from its own counter (not the group's /metrics). */
async function completedHere(): Promise<number> {
  const { values } = await parsimonyMetrics().jobsFinished.get();
  return values.filter((v) => v.labels.status === 'completed').reduce((sum, v) => sum + v.value, 0);
}
