import type { Ns } from './ns-time.js';

interface Step<W> {
  t: Ns;
  seq: number;
  run: (w: W) => void;
}

/** Timed steps (pod lifecycles, credential refreshes, incident actions) in (time, insertion) order. */
export class Scheduler<W> {
  private heap: Step<W>[] = [];
  private seq = 0;

  at(t: Ns, run: (w: W) => void): void {
    const s: Step<W> = { t, seq: this.seq++, run };
    const h = this.heap;
    h.push(s);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i] as Step<W>, h[p] as Step<W>)) break;
      [h[i], h[p]] = [h[p] as Step<W>, h[i] as Step<W>];
      i = p;
    }
  }

  private less(a: Step<W>, b: Step<W>): boolean {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }

  /** Runs every step due before `limit`, including steps that due steps schedule before it. */
  runUntil(limit: Ns, w: W): void {
    for (;;) {
      const top = this.heap[0];
      if (!top || top.t >= limit) return;
      this.pop();
      top.run(w);
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop() as Step<W>;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l] as Step<W>, h[m] as Step<W>)) m = l;
      if (r < h.length && this.less(h[r] as Step<W>, h[m] as Step<W>)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m] as Step<W>, h[i] as Step<W>];
      i = m;
    }
  }
}
