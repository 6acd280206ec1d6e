// Parsimony dashboard: reads GET /v1/savings and GET /v1/queues with a tenant key kept in sessionStorage.
// Every value reaches the page through textContent (never innerHTML), so API data cannot inject markup.
import { LEVERS, batchChart, dailyChart, queuesChart, routingChart, similarityChart, waterfallChart } from './charts.js';

const KEY_STORAGE = 'parsimony.apiKey';
const REFRESH_MS = 30_000;
const $ = (id) => document.getElementById(id);
let timer;

/** USD with enough digits to show small sums (simulated or cached traffic costs fractions of a cent). */
export function usd(value) {
  const v = Number(value) || 0;
  const abs = Math.abs(v);
  if (abs === 0) return '$0.00';
  if (abs >= 100) return `$${v.toFixed(2)}`;
  if (abs >= 1) return `$${v.toFixed(3)}`;
  // Four significant digits, without trailing zeros ($0.0006, not $0.0006000).
  return `$${v.toPrecision(4).replace(/(\.\d*?[1-9])0+$/, '$1')}`;
}
const pct = (share) => `${(share * 100).toFixed(1)}%`;
const count = (n) => Number(n).toLocaleString('en-US');

function setValue(id, raw, text) {
  const el = $(id);
  el.textContent = text;
  el.dataset.value = String(raw);
}

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path) {
  const key = sessionStorage.getItem(KEY_STORAGE);
  const res = await fetch(path, { headers: { authorization: `Bearer ${key}` }, cache: 'no-store' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new HttpError(res.status, body?.error?.message ?? `${path} answered ${res.status}`);
  return body;
}

function utcDay(offsetDays) {
  return new Date(Date.now() - offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/** Every day of the report, zero-filled (days without traffic have no group). */
function allDays(report) {
  const byKey = new Map(report.groups.map((g) => [g.key, g]));
  const days = [];
  for (let t = Date.parse(`${report.from}T00:00:00Z`); t <= Date.parse(`${report.to}T00:00:00Z`); t += 86_400_000) {
    const key = new Date(t).toISOString().slice(0, 10);
    days.push(byKey.get(key) ?? { key, actual_usd: 0, saved_usd: 0, baseline_usd: 0, requests: 0 });
  }
  return days;
}

function renderSavings(report) {
  setValue('kpi-requests', report.requests, count(report.requests));
  setValue('kpi-baseline-usd', report.baseline_usd, usd(report.baseline_usd));
  setValue('kpi-actual-usd', report.actual_usd, usd(report.actual_usd));
  setValue('kpi-saved-usd', report.saved_usd, usd(report.saved_usd));
  setValue('kpi-saved-pct', report.saved_pct, `${report.saved_pct.toFixed(1)}% of baseline`);
  setValue('kpi-cache-hit-rate', report.cache_hit_rate, pct(report.cache_hit_rate));
  setValue('kpi-batch-share', report.batch_share, pct(report.batch_share));
  setValue('kpi-overhead-usd', report.overhead_usd, usd(report.overhead_usd));
  // Caching the provider gives the requests as sent (OpenAI automatic prefix caching, the caller's own markers): its own line, not a lever.
  const anyway = report.provider_cache_anyway_usd ?? 0;
  setValue('kpi-provider-cache-anyway-usd', anyway, usd(anyway));

  const rows = LEVERS.map(([key, name]) => [name, report.by_lever[key] ?? 0, `lever-${key}`]);
  $('lever-table').replaceChildren(
    ...rows.map(([name, value, testid]) => {
      const tr = document.createElement('tr');
      const label = document.createElement('td');
      label.textContent = name;
      const cell = document.createElement('td');
      cell.textContent = usd(value);
      cell.dataset.testid = testid;
      cell.dataset.value = String(value);
      tr.append(label, cell);
      return tr;
    }),
  );

  waterfallChart(report, usd);
  dailyChart(allDays(report), usd);
  routingChart(report.routing_mix);
  const mix = report.routing_mix;
  $('routing-mix').textContent = `small ${count(mix.small)} · mid ${count(mix.mid)} · frontier ${count(mix.frontier)}`;
  similarityChart(report.similarity_histogram);
  const hits = report.similarity_histogram.reduce((sum, b) => sum + b.count, 0);
  setValue('similarity-total', hits, `${count(hits)} semantic hits`);
  const tiers = report.by_processing_tier;
  if (tiers) {
    batchChart(tiers);
    const line = ['flex', 'batch'].map((t) => `${t} ${count(tiers[t].requests)} at ${pct(tiers[t].realised_discount)} off`).join(' · ');
    setValue('tier-discounts', tiers.flex.saved_usd + tiers.batch.saved_usd, line);
  }
}

function renderQueues(body) {
  const queues = body.queues;
  queuesChart(queues);
  $('queue-table').replaceChildren(
    ...Object.entries(queues).map(([name, states]) => {
      const tr = document.createElement('tr');
      const label = document.createElement('td');
      label.textContent = name;
      tr.append(label);
      for (const state of ['waiting', 'active', 'delayed', 'failed']) {
        const td = document.createElement('td');
        const value = state === 'waiting' ? states.waiting + (states.prioritized ?? 0) : states[state];
        td.textContent = count(value);
        td.dataset.testid = `queue-${name}-${state}`;
        td.dataset.value = String(value);
        tr.append(td);
      }
      return tr;
    }),
  );
}

async function load() {
  document.body.dataset.state = 'loading';
  const days = Number($('range').value);
  const query = new URLSearchParams({ from: utcDay(days - 1), to: utcDay(0), group_by: 'day' });
  try {
    const [savings, queues] = await Promise.all([api(`/v1/savings?${query}`), api('/v1/queues')]);
    renderSavings(savings);
    renderQueues(queues);
    $('board-error').hidden = true;
    $('footer').textContent = `${savings.from} – ${savings.to} (UTC) · updated ${new Date().toLocaleTimeString()} · refreshes every ${REFRESH_MS / 1000} s`;
    document.body.dataset.state = 'ready';
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) return signOut('That API key was refused.');
    $('board-error').textContent = `Could not load the dashboard: ${err.message}`;
    $('board-error').hidden = false;
    document.body.dataset.state = 'error';
  }
}

function showBoard() {
  $('login').hidden = true;
  $('board').hidden = false;
  $('controls').hidden = false;
  clearInterval(timer);
  timer = setInterval(load, REFRESH_MS);
  return load();
}

function signOut(message = '') {
  clearInterval(timer);
  sessionStorage.removeItem(KEY_STORAGE);
  $('board').hidden = true;
  $('controls').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  $('api-key').value = '';
  $('api-key').focus();
  document.body.dataset.state = 'signed-out';
}

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = $('api-key').value.trim();
  if (!key) return;
  sessionStorage.setItem(KEY_STORAGE, key);
  void showBoard();
});
$('refresh').addEventListener('click', () => void load());
$('range').addEventListener('change', () => void load());
$('sign-out').addEventListener('click', () => signOut());

if (sessionStorage.getItem(KEY_STORAGE)) void showBoard();
else signOut();
