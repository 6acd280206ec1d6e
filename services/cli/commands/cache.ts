import { parseArgs } from 'node:util';
import { usageError } from '../cli-error';
import type { CliContext } from '../cli-context';
import { parseDuration } from '../duration';

export const CACHE_USAGE = `usage: parsimony cache purge [--tag T] [--scope S] [--before TIME|AGE] [--all]
  Removes your tenant's semantic-cache entries: those tagged T (metadata.cache_tags), in scope S, and/or
  created before TIME (ISO-8601) or older than AGE (e.g. 7d). --all (and no filter) removes every entry.`;

export async function cacheCommand(args: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'purge') {
    if (sub === '--help' || sub === '-h') {
      ctx.stdout.write(`${CACHE_USAGE}\n`);
      return 0;
    }
    throw usageError(sub ? `unknown cache command "${sub}"\n${CACHE_USAGE}` : CACHE_USAGE);
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { tag: { type: 'string' }, scope: { type: 'string' }, before: { type: 'string' }, all: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  if (positionals.length) throw usageError(`cache purge takes no arguments\n${CACHE_USAGE}`);
  const body: { tag?: string; scope?: string; before?: string } = {};
  if (values.tag) body.tag = values.tag;
  if (values.scope) body.scope = values.scope;
  if (values.before) body.before = /^\d{4}-\d{2}-\d{2}/.test(values.before) ? values.before : new Date(Date.now() - parseDuration(values.before, '--before')).toISOString();
  const filtered = Object.keys(body).length > 0;
  // Emptying the whole cache must be asked for explicitly.
  if (!filtered && !values.all) throw usageError(`cache purge needs --tag, --scope or --before, or --all to remove every entry\n${CACHE_USAGE}`);
  if (filtered && values.all) throw usageError('--all cannot be combined with a filter');

  const result = await ctx.client.post<Record<string, unknown>>('/cache/purge', { body });
  if (values.json) {
    ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const count = [result.purged, result.deleted, result.count].find((v) => typeof v === 'number');
  const what = filtered
    ? Object.entries(body)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')
    : 'all entries';
  ctx.stdout.write(count !== undefined ? `purged ${count} cache entr${count === 1 ? 'y' : 'ies'} (${what})\n` : `${JSON.stringify(result)}\n`);
  return 0;
}
