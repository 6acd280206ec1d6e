import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { REPO_ROOT } from './processes';

/** Dev data: ../shared/data relative to the repository (read-only, never copied). */
export const DEFAULT_DATA_DIR = resolve(REPO_ROOT, '../shared/data');

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every benchmark takes. */
export const COMMON_OPTIONS = {
  /** Reuse the benchmark build instead of compiling first. Default false. */
  'no-build': { type: 'boolean', default: false },
  /** Print the JSON line only; leave BENCHMARKS.md alone. Default false. */
  'no-write': { type: 'boolean', default: false },
  /** Directory of the dev data sets. Default ../shared/data relative to the repo. */
  data: { type: 'string', default: DEFAULT_DATA_DIR },
} as const satisfies Options;

/** Parses argv with the common options plus `own`. */
export function benchArgs<O extends Options>(own: O) {
  return parseArgs({ options: { ...COMMON_OPTIONS, ...own }, allowPositionals: false }).values;
}

/** The command line that produced a figure, as a person would type it. */
export function commandLine(npmScript: string): string {
  const args = process.argv.slice(2).filter((a) => a !== '--no-build' && a !== '--no-write');
  const own = `npm run ${npmScript}${args.length ? ` -- ${args.join(' ')}` : ''}`;
  const parent = process.env.BENCH_PARENT_COMMAND;
  return parent ? `${parent} (→ ${own})` : own;
}

/** CPU time (user + system) a process has used so far, ms (Linux /proc, clock ticks of 10 ms). */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command: state is index 0, utime 11, stime 12 (man 5 proc, fields 14 and 15).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * CPU time (user + system) of a process and of its children alive now, ms:
 * the all-in-one with PARSIMONY_WORKERS > 1 runs its extra workers as child
 * processes. A child that exited meanwhile takes its CPU with it (Linux only
 * adds waited-for children to the parent's cutime), so compare runs whose
 * children lived throughout.
 */
export function treeCpuMs(pid: number): number | null {
  const own = cpuMs(pid);
  if (own === null) return null;
  let total = own;
  for (const child of childPids(pid)) total += treeCpuMs(child) ?? 0;
  return total;
}

function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the command: state is index 0, ppid index 1.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}
