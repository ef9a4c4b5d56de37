import { sleep } from '../common/retry.js';

/**
 * A request rate per key (LookupEvents: 2 per second per account and region): each request starts
 * at least 1/rate seconds after the previous one of its key. Keeps the total wait it imposed, so
 * progress can say how much of the time the limit costs.
 */
export class Pacer {
  private next = new Map<string, number>();
  /** Milliseconds spent waiting, all keys. */
  waitedMs = 0;
  constructor(
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get intervalMs(): number {
    return 1000 / this.perSecond;
  }

  /** Waits for the key's turn; returns how long it waited (ms). */
  async wait(key: string, signal?: AbortSignal): Promise<number> {
    const t = this.now();
    const start = Math.max(t, this.next.get(key) ?? 0);
    this.next.set(key, start + this.intervalMs);
    const wait = start - t;
    if (wait > 0) {
      this.waitedMs += wait;
      await sleep(wait, signal);
    }
    return wait;
  }
}
