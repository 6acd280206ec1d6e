/** One stage run being measured: the CPU µs charged to it so far. */
export interface CpuSpan {
  us: number;
}

/**
 * Charges process CPU time to the pipeline stages running in this process,
 * cheaply (one process.cpuUsage() per stage start and end) and without
 * counting anything twice: the CPU spent between two consecutive start/end
 * events is split equally among the stage runs active in that interval
 * (processor sharing), and CPU spent while none is active is charged to none
 * (it is the HTTP layer's, the job store's, the workers'). So the stages' sum
 * never exceeds the process's CPU; with one request at a time it is exact, with
 * concurrent requests a stage that awaits I/O shares the interval with those
 * that compute meanwhile (an approximation of who used it).
 */
export class StageCpuAccountant {
  private last = total(process.cpuUsage());
  private readonly active = new Set<CpuSpan>();

  start(): CpuSpan {
    this.charge();
    const span = { us: 0 };
    this.active.add(span);
    return span;
  }

  /** Ends `span`; returns its CPU µs. */
  end(span: CpuSpan): number {
    this.charge();
    this.active.delete(span);
    return span.us;
  }

  private charge(): void {
    const now = total(process.cpuUsage());
    const spent = now - this.last;
    this.last = now;
    if (this.active.size === 0 || spent <= 0) return;
    const share = spent / this.active.size;
    for (const span of this.active) span.us += share;
  }
}

function total(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system;
}

/** The process's one accountant: every pipeline in a process (fast path, workers) must share it to split fairly. */
export const processStageCpu = new StageCpuAccountant();
