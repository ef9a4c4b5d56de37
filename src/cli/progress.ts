import { formatBytes, type Progress, type ProgressUnit } from '../core/progress.js';
import type { Io } from './program.js';

/** Where progress goes: stderr, and whether it is a terminal (then one live line) and how wide. */
export interface ProgressSink {
  write(text: string): void;
  isTty: boolean;
  columns: number;
}

/** At most this often the live line is redrawn. */
const FRAME_MS = 100;

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${m}:${String(s % 60).padStart(2, '0')}`;
}

const amount = (n: number, unit: ProgressUnit): string => (unit === 'bytes' ? formatBytes(n) : String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','));

/**
 * Progress on stderr. On a terminal: a live line ("label  45%  12.3 MB of 27.0 MB  8.1 MB/s
 * ETA 0:02  detail"), redrawn at most every 100 ms and cut to the terminal's width, replaced by a
 * permanent line when the step ends. Elsewhere: one line per finished step, nothing live.
 * `now` is injectable so tests control time (milliseconds, monotonic).
 */
export function stderrProgress(sink: ProgressSink, now: () => number = () => performance.now()): Progress {
  let label = '';
  let total: number | undefined;
  let unit: ProgressUnit = 'items';
  let started = 0;
  let done = 0;
  let detail = '';
  let drawn = 0;
  let live = false;
  const clear = (): void => {
    if (live) sink.write('\r\x1b[2K');
    live = false;
  };
  const draw = (): void => {
    const elapsed = (now() - started) / 1000;
    const parts = [label];
    if (total !== undefined && total > 0) parts.push(`${Math.min(100, Math.floor((done / total) * 100))}%`, `${amount(done, unit)} of ${amount(total, unit)}`);
    else if (done > 0) parts.push(amount(done, unit));
    if (elapsed >= 0.5 && done > 0) {
      const rate = done / elapsed;
      parts.push(`${amount(Math.round(rate), unit)}/s`);
      if (total !== undefined && total > done) parts.push(`ETA ${formatDuration((total - done) / rate)}`);
    }
    if (detail) parts.push(detail);
    const text = parts.join('  ');
    const width = Math.max(20, sink.columns - 1);
    sink.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    live = true;
    drawn = now();
  };
  if (!sink.isTty) {
    return { begin: () => {}, tick: () => {}, end: (line) => sink.write(`${line}\n`), note: (line) => sink.write(`${line}\n`) };
  }
  return {
    begin(l, t, u = 'items') {
      label = l;
      total = t;
      unit = u;
      started = now();
      done = 0;
      detail = '';
      draw();
    },
    tick(d, det) {
      done = d;
      if (det !== undefined) detail = det;
      if (now() - drawn >= FRAME_MS) draw();
    },
    end(line) {
      clear();
      sink.write(`${line}\n`);
      label = '';
    },
    note(line) {
      const wasLive = live;
      clear();
      sink.write(`${line}\n`);
      if (wasLive && label) draw();
    },
  };
}

/** The progress of a command: on the command's stderr, live when that is a terminal. */
export function progressOf(io: Io): Progress {
  return stderrProgress({ write: (t) => io.err(t), isTty: io.errIsTty ?? false, columns: io.errColumns ?? 120 });
}
