import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineInfo } from './machine';
import { REPO_ROOT } from './processes';

/** BENCHMARKS.md at the repository root; each benchmark owns one marked section and rewrites only that. */
export const BENCHMARKS_MD = join(REPO_ROOT, 'BENCHMARKS.md');

/** `notes` is written by hand (findings, caveats) and kept as is by the scripts. */
const SECTION_ORDER = ['cost', 'overhead', 'throughput', 'scale', 'tiers', 'notes'] as const;
export type SectionId = (typeof SECTION_ORDER)[number];

const INTRO = `# Benchmarks

Figures written by the benchmark scripts themselves (\`npm run bench\` runs all four and rewrites every section;
\`npm run bench:<name>\` rewrites its own). Benchmarks are not tests: they are run by hand, print one JSON line on
stdout (progress on stderr) and never gate \`npm test\`.

How to read them: the build machines are shared and noisy, so every latency/throughput figure is the **median of
repeated runs**, each compared with a **baseline measured in the same run** (e.g. Parsimony's latency minus the
simulator's own latency at the same rate, seconds apart), and each section records the machine, the load average
when it started (and during the run), the date and the exact command. Compare figures across runs only when the
load averages are similar; the lead re-runs \`npm run bench\` on a quiet machine for the published numbers.

Machine-readable output: \`npm run -s bench:<name>\` (npm's own banner otherwise precedes the JSON line on stdout).
Diagnostics outside \`npm run bench\`: \`npx tsx scripts/bench/profile.ts --mode miss|hit|async\` (where Parsimony's CPU
goes per request, from a V8 CPU profile) and \`npx tsx scripts/bench/batch-intake.ts\` (the 100k-line intake alone).

Shared flags: \`--no-build\` (reuse the benchmark build in node_modules/.cache/parsimony-bench), \`--no-write\`
(print the JSON only), \`--data DIR\` (dev data, default ../shared/data relative to the repo).
`;

function markers(id: SectionId): [string, string] {
  return [`<!-- bench:${id}:start -->`, `<!-- bench:${id}:end -->`];
}

/** Replaces (or adds, in the fixed order) the section `id` of BENCHMARKS.md with `markdown`. */
export function writeSection(id: SectionId, markdown: string): void {
  const existing = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : '';
  const sections = new Map<SectionId, string>();
  for (const other of SECTION_ORDER) {
    const [start, end] = markers(other);
    const a = existing.indexOf(start);
    const b = existing.indexOf(end);
    if (a !== -1 && b > a) sections.set(other, existing.slice(a + start.length, b).trim());
  }
  sections.set(id, markdown.trim());
  const body = SECTION_ORDER.filter((s) => sections.has(s))
    .map((s) => {
      const [start, end] = markers(s);
      return `${start}\n${sections.get(s)}\n${end}`;
    })
    .join('\n\n');
  writeFileSync(BENCHMARKS_MD, `${INTRO}\n${body}\n`);
}

/** A markdown table. */
export function mdTable(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cell = (v: string | number | null | undefined) => (v === null || v === undefined ? '–' : String(v).replace(/\|/g, '\\|'));
  return [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** The "when / where / how" lines every section starts with. */
export function runHeader(o: { date: string; machine: MachineInfo; command: string; load: { start: number; mean: number; max: number }; durationS: number }): string {
  const m = o.machine;
  return [
    `- **Date**: ${o.date} (took ${Math.round(o.durationS)} s)`,
    `- **Machine**: ${m.nproc} cores (${m.cpu}), ${m.mem_gb} GB memory, Node ${m.node}, ${m.platform}`,
    `- **Load average**: ${m.load_avg_start.join(' / ')} (1/5/15 min) at start; 1-min during the run: mean ${o.load.mean}, max ${o.load.max}`,
    `- **Command**: \`${o.command}\``,
  ].join('\n');
}

/** "met" / "missed (gap …)" for a target row. */
export function verdict(met: boolean | null, gap?: string): string {
  if (met === null) return 'not measured';
  return met ? 'met' : `**missed**${gap ? ` (gap ${gap})` : ''}`;
}
