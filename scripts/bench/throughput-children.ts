import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_BUILD_ROOT, BENCH_DATA_DIR, REDIS_URL, REPO_ROOT } from './common/processes';
import { median, round } from './common/stats';

/**
 * The throughput bench's reuse of the other teams' bench scripts, each run as
 * a child process and read from its one JSON line.
 */

/** scripts/bench/batch-path.ts (owned by the batch lever work): jobs/s through the batch lever end to end. */
export function batchPathRun(jobs: number): Record<string, unknown> {
  const out = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/batch-path.ts'), '--jobs', String(jobs), '--redis', REDIS_URL], {
    cwd: REPO_ROOT,
    env: { ...process.env, PARSIMONY_DATA_DIR: BENCH_DATA_DIR, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    timeout: 600_000,
  });
  if (out.status !== 0) throw new Error(`batch-path failed (${out.status}): ${out.stderr.slice(-2000)}`);
  return JSON.parse(out.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

/** scripts/bench/batch-intake.ts (owned by the Batch API work), run against the benchmark build. */
export function intakeRun(lines: number, heapMb?: number): Record<string, unknown> {
  // batch-intake starts `dist/services/producer/main.js` relative to its cwd: run it from the benchmark build root.
  const out = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/batch-intake.ts'), '--no-build', '--lines', String(lines), '--redis', REDIS_URL, ...(heapMb ? ['--max-old-space-size', String(heapMb)] : [])],
    {
      cwd: BENCH_BUILD_ROOT,
      env: { ...process.env, PARSIMONY_DATA_DIR: BENCH_DATA_DIR },
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      timeout: 600_000,
    },
  );
  if (out.status !== 0) throw new Error(`batch-intake failed (${out.status}): ${out.stderr.slice(-2000)}`);
  return JSON.parse(out.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

export function intakeSummary(runs: Record<string, unknown>[]) {
  const num = (k: string) => round(median(runs.map((r) => Number(r[k]))), 0);
  return {
    runs: runs.length,
    lines: runs[0]?.lines,
    max_old_space_size_mb: runs[0]?.max_old_space_size_mb ?? null,
    total_s: round((num('total_ms') ?? NaN) / 1000, 2),
    upload_s: round((num('upload_ms') ?? NaN) / 1000, 2),
    validate_and_pack_s: round((num('validate_and_pack_ms') ?? NaN) / 1000, 2),
    lines_per_second: num('lines_per_second'),
    producer_rss_mb_at_start: num('producer_rss_mb_at_start'),
    producer_peak_rss_mb: num('producer_peak_rss_mb'),
    all_lines_queued: runs.every((r) => (r.request_counts as { total?: number } | undefined)?.total === r.lines),
    raw: runs,
  };
}
