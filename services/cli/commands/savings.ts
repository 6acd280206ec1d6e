import { parseArgs } from 'node:util';
import { usageError } from '../cli-error';
import type { CliContext } from '../cli-context';
import { parseDuration } from '../duration';
import { formatTable } from '../table';

export const SAVINGS_USAGE = `usage: parsimony savings [--since 7d] [--by day|model|task] [--json]
  The cost waterfall of your traffic: baseline (what it would have cost as sent, on the frontier model),
  actual, saved, per group. --since covers the last N UTC days, today included (default 7d).`;

interface Figures {
  requests: number;
  baseline_usd: number;
  actual_usd: number;
  saved_usd: number;
  saved_pct: number;
  cache_hit_rate: number;
  batch_share: number;
  overhead_usd: number;
  by_lever: Record<string, number>;
}
interface Report extends Figures {
  from: string;
  to: string;
  groups: ({ key: string } & Figures)[];
}

export async function savingsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      since: { type: 'string', default: '7d' },
      by: { type: 'string', default: 'day' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    ctx.stdout.write(`${SAVINGS_USAGE}\n`);
    return 0;
  }
  if (positionals.length) throw usageError(`savings takes no arguments\n${SAVINGS_USAGE}`);
  if (!['day', 'model', 'task'].includes(values.by)) throw usageError('--by: one of day, model, task');
  const days = Math.max(1, Math.ceil(parseDuration(values.since, '--since') / 86_400_000));
  const now = Date.now();
  const query = { from: utcDay(now - (days - 1) * 86_400_000), to: utcDay(now), group_by: values.by };
  const report = await ctx.client.get<Report>('/savings', { query });
  if (values.json) {
    ctx.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const row = (key: string, f: Figures) => [
    key,
    String(f.requests),
    usd(f.baseline_usd),
    usd(f.actual_usd),
    usd(f.saved_usd),
    `${f.saved_pct.toFixed(1)}%`,
    `${(f.cache_hit_rate * 100).toFixed(1)}%`,
    `${(f.batch_share * 100).toFixed(1)}%`,
  ];
  const rows = report.groups.map((g) => row(g.key, g));
  rows.push(row('TOTAL', report));
  ctx.stdout.write(`savings ${report.from} .. ${report.to} (UTC), by ${values.by}\n\n`);
  ctx.stdout.write(`${formatTable([values.by, 'requests', 'baseline', 'actual', 'saved', 'saved %', 'cache hit', 'batch'], rows)}\n\n`);
  const levers = Object.entries(report.by_lever).map(([lever, value]) => `${lever} ${usd(value)}`);
  ctx.stdout.write(`saved by lever: ${levers.join(' · ')}; lever overhead ${usd(report.overhead_usd)}\n`);
  return 0;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Six decimals: single requests cost fractions of a cent. */
function usd(value: number): string {
  return `$${value.toFixed(6)}`;
}
