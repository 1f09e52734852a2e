// Progress for long loops: on a terminal a live bar (iteration, loss, ETA) redrawn in place,
// with log lines printed above it; in a pipe or CI only the plain log lines.

export class Progress {
  private readonly tty: boolean;
  private readonly start = performance.now();
  private lastDraw = 0;
  private barShown = false;

  constructor(private readonly total: number, private readonly label: string, private readonly out: NodeJS.WriteStream = process.stdout) {
    this.tty = Boolean(out.isTTY) && !process.env.CI;
  }

  /** A line that stays (a log line), written by `sink`; on a TTY the bar is cleared first and redrawn under it. */
  log(line: string, sink: (line: string) => void = (l) => this.out.write(l + '\n')): void {
    if (this.barShown) this.out.write('\r\x1b[K');
    this.barShown = false;
    sink(line);
  }

  /** Update the bar (TTY only, at most 10 times a second). */
  update(done: number, info: string): void {
    if (!this.tty) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && done < this.total) return;
    this.lastDraw = now;
    const width = 24;
    const frac = this.total === 0 ? 1 : Math.min(1, done / this.total);
    const filled = Math.round(frac * width);
    const elapsed = (now - this.start) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : 0;
    this.out.write(`\r\x1b[K${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${info} ETA ${formatDuration(eta)}`);
    this.barShown = true;
  }

  done(): void {
    if (this.barShown) this.out.write('\r\x1b[K');
    this.barShown = false;
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
