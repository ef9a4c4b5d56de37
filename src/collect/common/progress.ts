/**
 * Progress on stderr: one line per step (resource listed, page fetched, retry), and for long
 * streams a running count at most every `everyMs` (plus the final one).
 */
export class Progress {
  private last = new Map<string, number>();
  constructor(
    private readonly write: (line: string) => void,
    private readonly everyMs = 5000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  line(text: string): void {
    this.write(text);
  }

  /** A throttled line for a counter that moves often (watch events); `force` prints it anyway. */
  tick(key: string, text: string, force = false): void {
    const t = this.now();
    const prev = this.last.get(key);
    if (!force && prev !== undefined && t - prev < this.everyMs) return;
    this.last.set(key, t);
    this.write(text);
  }
}
