import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { round } from './stats';

/** What the figures were measured on: recorded with every benchmark result. */
export interface MachineInfo {
  nproc: number;
  cpu: string;
  mem_gb: number;
  free_mem_gb: number;
  node: string;
  platform: string;
  /** 1/5/15-minute load averages when the benchmark started. */
  load_avg_start: [number, number, number];
}

export function machineInfo(): MachineInfo {
  const cpu = cpus();
  const [l1, l5, l15] = loadavg();
  return {
    nproc: cpu.length,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    mem_gb: round(totalmem() / 2 ** 30, 1)!,
    free_mem_gb: round(freemem() / 2 ** 30, 1)!,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    load_avg_start: [round(l1, 2)!, round(l5, 2)!, round(l15, 2)!],
  };
}

/**
 * Samples the 1-minute load average every `everyMs` while a benchmark runs,
 * so each figure can be read against how busy the (shared) machine was.
 */
export class LoadSampler {
  private readonly samples: number[] = [loadavg()[0]];
  private readonly timer: NodeJS.Timeout;

  constructor(everyMs = 5_000) {
    this.timer = setInterval(() => this.samples.push(loadavg()[0]), everyMs);
    this.timer.unref();
  }

  /** Load-average summary so far: at start, mean, max, now. */
  snapshot(): { start: number; mean: number; max: number; end: number } {
    const s = [...this.samples, loadavg()[0]];
    return { start: round(s[0], 2)!, mean: round(s.reduce((a, b) => a + b, 0) / s.length, 2)!, max: round(Math.max(...s), 2)!, end: round(s[s.length - 1], 2)! };
  }

  stop(): { start: number; mean: number; max: number; end: number } {
    clearInterval(this.timer);
    return this.snapshot();
  }
}

/** Progress goes to stderr; stdout carries only the one JSON result line. */
export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
