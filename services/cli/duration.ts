import { usageError } from './cli-error';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** Milliseconds of a duration like "90s", "30m", "6h", "7d", "2w". */
export function parseDuration(value: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|[smhdw])$/i.exec(value.trim());
  if (!match) throw usageError(`${option}: expected a duration like 90s, 30m, 6h, 7d or 2w (got "${value}")`);
  const ms = Number(match[1]) * UNIT_MS[match[2].toLowerCase()];
  if (ms <= 0) throw usageError(`${option}: must be greater than zero`);
  return ms;
}
