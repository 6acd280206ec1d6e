// Chart builders for the dashboard. Chart.js (UMD, served from this origin) is window.Chart.
// Each builder replaces the chart on its canvas, so a refresh never stacks charts.

const COLORS = {
  baseline: '#9aa5b1', lever: '#16a34a', leverNegative: '#dc2626', overhead: '#dc2626', actual: '#2563eb',
  small: '#14b8a6', mid: '#f59e0b', frontier: '#7c3aed', saved: '#16a34a', muted: '#cbd2d9',
  waiting: '#f59e0b', active: '#2563eb', delayed: '#7c3aed', failed: '#dc2626',
};

const charts = new Map();

function draw(id, config) {
  charts.get(id)?.destroy();
  const canvas = document.getElementById(id);
  const chart = new window.Chart(canvas, config);
  charts.set(id, chart);
  return chart;
}

const base = (extra = {}) => ({
  // No animation: the numbers are what matters, and screenshots are stable.
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
  ...extra,
});

export const LEVERS = [
  ['routing', 'Routing'], ['cache', 'Cache'], ['context', 'Context'], ['compression', 'Compression'],
  ['prompt_cache', 'Prompt cache'], ['batch', 'Tier (flex / batch)'],
];

/** Floating bars: baseline, each lever's saving stepping down, overhead stepping up, actual. */
export function waterfallChart(report, usd) {
  const labels = ['Baseline'];
  const data = [[0, report.baseline_usd]];
  const colors = [COLORS.baseline];
  const deltas = [report.baseline_usd];
  let level = report.baseline_usd;
  for (const [key, name] of LEVERS) {
    const saving = report.by_lever[key] ?? 0;
    labels.push(name);
    data.push([level - saving, level]);
    colors.push(saving >= 0 ? COLORS.lever : COLORS.leverNegative);
    deltas.push(-saving);
    level -= saving;
  }
  labels.push('Overhead');
  data.push([level, level + report.overhead_usd]);
  colors.push(COLORS.overhead);
  deltas.push(report.overhead_usd);
  labels.push('Actual');
  data.push([0, report.actual_usd]);
  colors.push(COLORS.actual);
  deltas.push(report.actual_usd);
  return draw('chart-waterfall', {
    type: 'bar',
    data: { labels, datasets: [{ label: 'USD', data, backgroundColor: colors, borderSkipped: false, borderRadius: 3 }] },
    options: base({
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (ctx) => `${deltas[ctx.dataIndex] < 0 ? '−' : ''}${usd(Math.abs(deltas[ctx.dataIndex]))}` } },
      },
      scales: { y: { beginAtZero: true, ticks: { callback: (v) => usd(v) } } },
    }),
  });
}

/** Stacked per-day bars: actual (paid) + saved = baseline. */
export function dailyChart(days, usd) {
  return draw('chart-daily', {
    type: 'bar',
    data: {
      labels: days.map((d) => d.key.slice(5)),
      datasets: [
        { label: 'Actual', data: days.map((d) => d.actual_usd), backgroundColor: COLORS.actual, stack: 'cost' },
        { label: 'Saved', data: days.map((d) => Math.max(0, d.saved_usd)), backgroundColor: COLORS.saved, stack: 'cost' },
      ],
    },
    options: base({
      plugins: { tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${usd(ctx.parsed.y)}` } } },
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { callback: (v) => usd(v) } } },
    }),
  });
}

export function routingChart(mix) {
  return draw('chart-routing', {
    type: 'doughnut',
    data: {
      labels: ['small', 'mid', 'frontier'],
      datasets: [{ data: [mix.small, mix.mid, mix.frontier], backgroundColor: [COLORS.small, COLORS.mid, COLORS.frontier] }],
    },
    options: base({ plugins: { legend: { position: 'right' } } }),
  });
}

export function similarityChart(histogram) {
  let lower = null;
  const labels = histogram.map((b) => {
    const label = lower === null ? `≤ ${b.le.toFixed(2)}` : `${lower.toFixed(2)}–${b.le.toFixed(2)}`;
    lower = b.le;
    return label;
  });
  return draw('chart-similarity', {
    type: 'bar',
    data: { labels, datasets: [{ label: 'semantic hits', data: histogram.map((b) => b.count), backgroundColor: COLORS.lever }] },
    options: base({ plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }),
  });
}

/** Requests per processing tier (standard / flex / provider batch). */
export function batchChart(tiers) {
  return draw('chart-batch', {
    type: 'doughnut',
    data: { labels: ['standard', 'flex', 'batch'], datasets: [{ data: [tiers.standard.requests, tiers.flex.requests, tiers.batch.requests], backgroundColor: [COLORS.muted, COLORS.lever, COLORS.frontier] }] },
    options: base({ plugins: { legend: { position: 'right' } } }),
  });
}

export function queuesChart(queues) {
  const names = Object.keys(queues);
  const states = ['waiting', 'active', 'delayed', 'failed'];
  return draw('chart-queues', {
    type: 'bar',
    data: {
      labels: names,
      datasets: states.map((state) => ({
        label: state,
        data: names.map((n) => (state === 'waiting' ? queues[n].waiting + (queues[n].prioritized ?? 0) : queues[n][state])),
        backgroundColor: COLORS[state],
      })),
    },
    options: base({ indexAxis: 'y', scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } }),
  });
}
