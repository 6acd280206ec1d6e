import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { JobRecord } from '../../shared/core/jobs/job-record';
import { savingsIncrements } from '../../shared/core/accounting/savings-ledger';
import { chatBody, KEYS, startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';
import { REDIS_URL } from '../helpers/redis';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/parsimony-dashboard.png';
let p: TestParsimony;
let browser: Browser;

beforeAll(async () => {
  // No skip: without a browser this test cannot check the page, so it fails and says how to fix it.
  if (!existsSync(CHROMIUM)) throw new Error(`the dashboard test needs Chromium at ${CHROMIUM}; install it with: apt-get install -y chromium`);
  p = await startTestParsimony('ops-dashboard');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await seedTraffic();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await p?.close();
});

/** Real jobs today, plus earlier days' aggregates (with semantic-cache hits and batch jobs) written by the ledger's own increments. */
async function seedTraffic(): Promise<void> {
  for (const model of ['gpt-4.1-nano', 'gpt-4.1-mini', 'gpt-4.1', 'auto']) {
    const res = await p.http('/v1/chat/completions', { method: 'POST', json: chatBody(`Tell me about ${model}`, { model }) });
    expect(res.status).toBe(200);
  }
  const queued = await (await p.http('/v1/jobs', { method: 'POST', json: { request: chatBody('Summarise the report.'), task: 'summarize' } })).json();
  await waitForJob(p, queued.id);

  const redis = new Redis(REDIS_URL);
  try {
    const history: [number, Partial<JobRecord>][] = [
      [3, { delivered_by: 'cache', annotations: { cache: { hit: true, kind: 'semantic', similarity: 0.95 } } }],
      [3, { delivered_by: 'cache', annotations: { cache: { hit: true, kind: 'semantic', similarity: 0.91 } } }],
      [2, { delivered_by: 'batch' }],
      [2, { delivered_by: 'cache', annotations: { cache: { hit: true, kind: 'exact' } } }],
      [1, { delivered_by: 'execute' }],
    ];
    for (const [daysAgo, extra] of history) {
      const cache = (extra.annotations?.cache ?? {}) as { hit?: boolean };
      const job: JobRecord = {
        id: `job_hist_${daysAgo}_${Math.random()}`,
        tenant: 'acme',
        status: 'completed',
        created_at: new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
        completed_at: new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
        options: { requested_model: 'auto', latency: extra.delivered_by === 'batch' ? 'batch' : 'sync' },
        request: { model: 'auto', system: [], messages: [], sampling: {} } as never,
        attempts: 1,
        route: { model: 'gpt-4.1-mini', provider: 'openai', tier: 'mid', reason: 'seed' },
        usage: { input_tokens: 400, output_tokens: 200, cached_input_tokens: 0, cache_write_tokens: 0 },
        cost: cache.hit
          ? { baseline_usd: 0.004, actual_usd: 0.00002, saved_usd: 0.00398, overhead_usd: 0.00002, by_lever: { routing: 0, cache: 0.004, context: 0, compression: 0, prompt_cache: 0, batch: 0 } }
          : extra.delivered_by === 'batch'
            ? { baseline_usd: 0.004, actual_usd: 0.0002, saved_usd: 0.0038, overhead_usd: 0, by_lever: { routing: 0.0032, cache: 0, context: 0, compression: 0, prompt_cache: 0, batch: 0.0006 } }
            : { baseline_usd: 0.004, actual_usd: 0.0004, saved_usd: 0.0036, overhead_usd: 0, by_lever: { routing: 0.0036, cache: 0, context: 0, compression: 0, prompt_cache: 0, batch: 0 } },
        ...extra,
      };
      for (const effect of savingsIncrements(p.prefix, job)) if ('by' in effect) await redis.hincrbyfloat(effect.key, effect.field, effect.by);
    }
  } finally {
    redis.disconnect();
  }
}

const text = (page: Page, id: string) => page.getByTestId(id).innerText();
const value = async (page: Page, id: string) => Number(await page.getByTestId(id).getAttribute('data-value'));

test('the dashboard shows the numbers of GET /v1/savings and GET /v1/queues, under a self-only CSP', async () => {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));

  const response = await page.goto(`${p.url}/dashboard`);
  const csp = response!.headers()['content-security-policy'];
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  expect(response!.headers()['x-content-type-options']).toBe('nosniff');
  await expect(page.getByTestId('api-key').isVisible()).resolves.toBe(true);

  // A wrong key is refused and the form comes back.
  await page.getByTestId('api-key').fill('k-not-a-key');
  await page.getByTestId('sign-in').click();
  // Waits use selectors, not waitForFunction: its polling evaluates strings in the page, which the page's CSP forbids.
  await page.locator('body[data-state="signed-out"] [data-testid="login-error"]', { hasText: 'refused' }).waitFor();
  expect(await page.evaluate(`sessionStorage.getItem('parsimony.apiKey')`)).toBeNull();
  // (the browser logs the refused requests' 401s; from here on nothing may be logged as an error)
  expect(problems.every((m) => m.includes('401'))).toBe(true);
  problems.length = 0;

  await page.getByTestId('api-key').fill(KEYS.acme);
  await page.getByTestId('sign-in').click();
  await page.locator('body[data-state="ready"]').waitFor();
  expect(await page.evaluate(`sessionStorage.getItem('parsimony.apiKey')`)).toBe(KEYS.acme);

  // The page shows the last 30 days, like GET /v1/savings by default.
  const report = await (await p.http('/v1/savings')).json();
  expect(report.requests).toBe(10);
  expect(await text(page, 'kpi-requests')).toBe(report.requests.toLocaleString('en-US'));
  for (const [id, field] of [
    ['kpi-saved-usd', 'saved_usd'],
    ['kpi-actual-usd', 'actual_usd'],
    ['kpi-baseline-usd', 'baseline_usd'],
    ['kpi-overhead-usd', 'overhead_usd'],
  ] as const) {
    expect(await value(page, id)).toBe(report[field]);
    const shown = Number((await text(page, id)).replace(/[$,]/g, ''));
    expect(Math.abs(shown - report[field])).toBeLessThanOrEqual(Math.abs(report[field]) * 1e-3 + 1e-12);
  }
  expect(report.cache_hit_rate).toBeCloseTo(0.3, 4);
  expect(await text(page, 'kpi-cache-hit-rate')).toBe(`${(report.cache_hit_rate * 100).toFixed(1)}%`);
  expect(await text(page, 'kpi-batch-share')).toBe(`${(report.batch_share * 100).toFixed(1)}%`);
  expect(await text(page, 'kpi-saved-pct')).toBe(`${report.saved_pct.toFixed(1)}% of baseline`);
  for (const lever of ['routing', 'cache', 'context', 'compression', 'prompt_cache', 'batch']) expect(await value(page, `lever-${lever}`)).toBe(report.by_lever[lever]);
  const mix = report.routing_mix;
  expect(await text(page, 'routing-mix')).toBe(`small ${mix.small} · mid ${mix.mid} · frontier ${mix.frontier}`);
  expect(await value(page, 'similarity-total')).toBe(2);

  // The charts hold the same numbers: the waterfall starts at the baseline and ends at the actual cost.
  // (every job obeys actual = baseline − levers + overhead, so the steps land on the actual cost)
  const waterfall = await page.evaluate<[number, number][]>(`Chart.getChart('chart-waterfall').data.datasets[0].data`);
  expect(waterfall[0]).toEqual([0, report.baseline_usd]);
  expect(waterfall.at(-1)).toEqual([0, report.actual_usd]);
  expect(waterfall.at(-2)![1]).toBeCloseTo(report.actual_usd, 10);
  const daily = await page.evaluate<number[]>(`Chart.getChart('chart-daily').data.datasets[0].data`);
  expect(daily).toHaveLength(30);
  expect(daily.reduce((a, b) => a + b, 0)).toBeCloseTo(report.actual_usd, 10);
  const histogram = await page.evaluate<number[]>(`Chart.getChart('chart-similarity').data.datasets[0].data`);
  expect(histogram).toEqual(report.similarity_histogram.map((b: { count: number }) => b.count));

  const queues = (await (await p.http('/v1/queues')).json()).queues;
  expect(await value(page, 'queue-pipeline-failed')).toBe(queues.pipeline.failed);
  expect(await value(page, 'queue-pipeline-active')).toBe(queues.pipeline.active);

  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(problems).toEqual([]);

  // The key lives in this tab only: a reload keeps it, a new browser context asks again, sign-out forgets it.
  await page.reload();
  await page.locator('body[data-state="ready"]').waitFor();
  const other = await (await browser.newContext()).newPage();
  await other.goto(`${p.url}/dashboard`);
  await other.locator('body[data-state="signed-out"]').waitFor();
  await page.click('#sign-out');
  expect(await page.evaluate(`sessionStorage.getItem('parsimony.apiKey')`)).toBeNull();
  await context.close();
});

test('assets come from this origin with the same headers; chart.js is the installed UMD build', async () => {
  const chart = await fetch(`${p.url}/dashboard/assets/chart.js`);
  expect(chart.status).toBe(200);
  expect(chart.headers.get('content-type')).toMatch(/javascript/);
  expect(chart.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(await chart.text()).toContain('Chart.js v4');
  for (const asset of ['dashboard.js', 'charts.js', 'dashboard.css', 'favicon.svg']) expect((await fetch(`${p.url}/dashboard/assets/${asset}`)).status).toBe(200);
  expect((await fetch(`${p.url}/dashboard/assets/..%2f..%2fpackage.json`)).status).toBe(404);
  expect((await fetch(`${p.url}/dashboard/assets/index.html`)).status).toBe(404);
});
