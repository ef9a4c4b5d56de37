import type { Ns } from './ns-time.js';

interface Item {
  t: Ns;
  text: string;
}

/**
 * Records waiting to be written in time order. Producers push records at or after the watermark
 * (the start of the minute being generated); `drain` emits everything before a limit, sorted by
 * time (stable, so same-instant records keep their production order) and keeps the rest.
 */
export class TimedQueue {
  private items: Item[] = [];
  private watermark: Ns;
  readonly label: string;

  constructor(label: string, start: Ns) {
    this.label = label;
    this.watermark = start;
  }

  push(t: Ns, text: string): void {
    if (t < this.watermark) {
      throw new Error(`${this.label}: record at ${t} is before the flushed watermark ${this.watermark} (generator bug)`);
    }
    this.items.push({ t, text });
  }

  get pending(): number {
    return this.items.length;
  }

  drain(limit: Ns, emit: (text: string, t: Ns) => void): void {
    if (this.items.length > 0) {
      this.items.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
      let i = 0;
      while (i < this.items.length && (this.items[i] as Item).t < limit) {
        const it = this.items[i] as Item;
        emit(it.text, it.t);
        i++;
      }
      this.items = i === this.items.length ? [] : this.items.slice(i);
    }
    if (limit > this.watermark) this.watermark = limit;
  }
}
