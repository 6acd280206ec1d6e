const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a deadline given as ISO-8601 or as a duration from now ("90s",
 * "30m", "6h", "2d"). Returns the absolute time, or an error message.
 */
export function parseDeadline(value: string, now = Date.now()): { at: Date } | { error: string } {
  const duration = /^(\d+(?:\.\d+)?)\s*([smhd])$/i.exec(value.trim());
  if (duration) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2].toLowerCase()];
    if (ms <= 0) return { error: 'deadline must be in the future' };
    return { at: new Date(now + ms) };
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return { error: 'deadline must be an ISO-8601 time or a duration like "90s", "30m", "6h", "2d"' };
  const at = Date.parse(value);
  if (!Number.isFinite(at)) return { error: 'deadline is not a valid ISO-8601 time' };
  if (at <= now) return { error: 'deadline is in the past' };
  return { at: new Date(at) };
}
