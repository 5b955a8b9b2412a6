/**
 * Progress bars for the ingest (stderr): redrawn in place on a terminal, one line per 10 %
 * otherwise (CI logs); ends with the row count, the time and the rate.
 */
export interface ProgressSink {
  write(s: string): unknown;
  isTTY?: boolean;
}

export class Progress {
  private done = 0;
  /** Rows counted before this run (a resumed ingest); the rate counts only this run's rows. */
  private base = 0;
  private readonly t0 = performance.now();
  private lastDraw = 0;
  private lastDecile = -1;

  constructor(
    private readonly label: string,
    private total: number | undefined,
    private readonly out: ProgressSink | null = process.stderr,
  ) {}

  setTotal(total: number): void {
    this.total = total;
  }

  /** A resumed ingest: `rows` were done by an earlier run. */
  resumeAt(rows: number): void {
    this.done = rows;
    this.base = rows;
  }

  tick(n: number): void {
    this.done += n;
    if (this.out === null) return;
    const now = performance.now();
    if (this.out.isTTY) {
      if (now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.out.write(`\r${this.line()}`);
    } else if (this.total) {
      const decile = Math.floor((10 * this.done) / this.total);
      if (decile > this.lastDecile && decile < 10) {
        this.lastDecile = decile;
        this.out.write(`${this.line()}\n`);
      }
    }
  }

  /** Writes the final line; returns rows, seconds and rows/s. */
  finish(note = ''): { rows: number; seconds: number; rowsPerSecond: number } {
    const seconds = (performance.now() - this.t0) / 1000;
    const rowsPerSecond = seconds > 0 ? (this.done - this.base) / seconds : 0;
    if (this.out !== null) {
      const text =
        `${this.label}: ${this.done.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s ` +
        `(${Math.round(rowsPerSecond).toLocaleString('en-US')} rows/s)${note ? ', ' + note : ''}`;
      this.out.write(this.out.isTTY ? `\r\x1b[K${text}\n` : `${text}\n`);
    }
    return { rows: this.done, seconds, rowsPerSecond };
  }

  private line(): string {
    const seconds = (performance.now() - this.t0) / 1000;
    const rate = seconds > 0 ? Math.round((this.done - this.base) / seconds) : 0;
    const count = this.done.toLocaleString('en-US');
    if (!this.total) return `${this.label} ${count} rows, ${rate.toLocaleString('en-US')} rows/s`;
    const f = Math.min(1, this.done / this.total);
    const width = 30;
    const full = Math.round(f * width);
    return (
      `${this.label} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}% ` +
      `${count}/${this.total.toLocaleString('en-US')} ${rate.toLocaleString('en-US')} rows/s`
    );
  }
}
