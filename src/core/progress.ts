/**
 * Progress of long work (generate, ingest, correlate, check, bundle), told on stderr: a step
 * begins, advances, ends. A terminal shows one live line that each end replaces with a permanent
 * line; anything else gets only the ends and notes, one line each. Results never go here.
 */
export interface Progress {
  /** A step begins; `total` (bytes or items) lets the live line show a share, a rate and an ETA. */
  begin(label: string, total?: number, unit?: ProgressUnit): void;
  /** How much of the current step is done so far (absolute), and what it is on now. */
  tick(done: number, detail?: string): void;
  /** The current step finished: one line that says what it did. */
  end(line: string): void;
  /** A line within the current step (a finished part of it, a recovered state, a warning): always shown; the live line goes on. */
  note(line: string): void;
}

export type ProgressUnit = 'bytes' | 'items';

export const silentProgress: Progress = { begin: () => {}, tick: () => {}, end: () => {}, note: () => {} };

/** Progress told as plain lines (ends and notes) to a line logger: the form of logs and pipes. */
export function lineProgress(log: (line: string) => void): Progress {
  return { begin: () => {}, tick: () => {}, end: log, note: log };
}

/** A Progress, or the plain line logger older callers pass. */
export type ProgressLike = Progress | ((line: string) => void);

export function toProgress(p: ProgressLike | undefined): Progress {
  if (p === undefined) return silentProgress;
  return typeof p === 'function' ? lineProgress(p) : p;
}

/** A byte count for people: "812 B", "4.2 MB" (binary multiples, one decimal). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** "1 row", "2 rows": a count with its noun, plural unless exactly one (`many` for irregular plurals). */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
