/**
 * A one-line progress bar on stderr: redrawn in place on a terminal; on a
 * pipe or a log file, one line per 10% step or change of the suffix's words
 * (e.g. a batch going from in_progress to completed), so CI logs stay short.
 */
export class ProgressBar {
  private lastStep = -1;
  private lastWords = '';
  private lastLength = 0;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    /** Bar width in characters. Default 30. */
    private readonly width = 30,
  ) {}

  /** Shows `done` of `total` with an optional suffix (e.g. "12/40 requests"). */
  update(done: number, total: number, suffix = ''): void {
    const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
    const percent = Math.floor(share * 100);
    const filled = Math.round(share * this.width);
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${String(percent).padStart(3)}%${suffix ? ` ${suffix}` : ''}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}${' '.repeat(Math.max(0, this.lastLength - line.length))}`);
      this.lastLength = line.length;
      return;
    }
    const step = Math.floor(percent / 10);
    const words = suffix.replace(/[\d.,/]+/g, '');
    if (step !== this.lastStep || words !== this.lastWords) {
      this.lastStep = step;
      this.lastWords = words;
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends the bar's line (a terminal needs the newline; a pipe already has it). */
  finish(message?: string): void {
    if (this.stream.isTTY) this.stream.write('\n');
    if (message) this.stream.write(`${message}\n`);
  }
}
