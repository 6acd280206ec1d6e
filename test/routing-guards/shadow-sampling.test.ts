import { isShadowSampled } from '../../shared/levers/routing/guards';
import { startBatchHarness, type BatchHarness } from '../batch/harness';

/**
 * Shadow sampling is decided from the job id (SHA-256), so which jobs are
 * shadowed is reproducible: at PARSIMONY_SHADOW_SHARE 0.5 the service
 * shadows exactly the jobs isShadowSampled(id, 0.5) names, no others.
 */
let h: BatchHarness;
/** A response body, typed as the caller expects it. */
const body = <T>(res: Response): Promise<T> => res.json() as Promise<T>;

/** One entry of `recent` in GET /v1/routing/quality. */
interface ShadowEntry {
  job_id: string;
  status: string;
}
beforeAll(async () => {
  h = await startBatchHarness('guards-sampling', { env: { PARSIMONY_SHADOW_SHARE: '0.5', PARSIMONY_SHADOW_CHECK_MS: '150', PARSIMONY_CACHE: 'off' } });
}, 120_000);
afterAll(() => h.close());

test('exactly the jobs whose id hashes below the share are shadowed', async () => {
  const ids: string[] = [];
  // Enough jobs that both outcomes occur (each id is a coin flip; 6 at least, more until both sides are seen).
  for (let i = 0; ids.length < 6 || ids.every((id) => isShadowSampled(id, 0.5)) || !ids.some((id) => isShadowSampled(id, 0.5)); i++) {
    if (i >= 40) throw new Error('40 ids all on one side of the share: sampling is not uniform');
    const res = await h.http('/v1/jobs', {
      method: 'POST',
      json: { request: { model: 'auto', messages: [{ role: 'user', content: `Classify ticket T-${i}: "cannot log in"` }] }, task: 'classify', latency: 'sync' },
    });
    const job = await body<{ id: string; route: { tier: string } }>(res);
    expect(job.route.tier).toBe('small');
    ids.push(job.id);
  }
  const expected = ids.filter((id) => isShadowSampled(id, 0.5)).sort();

  const until = Date.now() + 20_000;
  let recent: ShadowEntry[];
  for (;;) {
    recent = (await body<{ recent: ShadowEntry[] }>(await h.http('/v1/routing/quality?recent=50'))).recent;
    if (recent.length >= expected.length && recent.every((r) => r.status === 'compared')) break;
    if (Date.now() > until) throw new Error(`shadows not compared in time: ${JSON.stringify(recent)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(recent.map((r) => r.job_id).sort()).toEqual(expected);
  const report = await body<{ shadow_share: number; by_task: Record<string, { shadowed: number; agreement: number | null }> }>(await h.http('/v1/routing/quality'));
  expect(report.shadow_share).toBe(0.5);
  expect(report.by_task.classify.shadowed).toBe(expected.length);
  expect(report.by_task.classify.agreement).toBe(1);
});
