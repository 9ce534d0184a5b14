// Progress of a copy on stderr: on a terminal one line per table, rewritten as rows arrive
// (rows, rows per second); elsewhere (CI, a log) one line per table when it is done.

export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

const redrawEveryMs = 200;

const formatCount = (n: number) => n.toLocaleString("en-US");

export class Progress {
  private table = "";
  private rows = 0;
  private started = 0;
  private lastDraw = 0;

  constructor(private readonly output: ProgressOutput = process.stderr) {}

  startTable(table: string): void {
    this.table = table;
    this.rows = 0;
    this.started = performance.now();
    this.lastDraw = 0;
  }

  add(rows: number): void {
    this.rows += rows;
    const now = performance.now();
    if (this.output.isTTY && now - this.lastDraw >= redrawEveryMs) {
      this.lastDraw = now;
      this.output.write(`\r\x1b[K${this.line(now)}`);
    }
  }

  endTable(): { rows: number; seconds: number } {
    const now = performance.now();
    this.output.write(`${this.output.isTTY ? "\r\x1b[K" : ""}${this.line(now)}\n`);
    return { rows: this.rows, seconds: (now - this.started) / 1000 };
  }

  private line(now: number): string {
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(this.rows / seconds) : 0;
    return `db: ${this.table}: ${formatCount(this.rows)} rows in ${seconds.toFixed(1)} s (${formatCount(rate)} rows/s)`;
  }
}
