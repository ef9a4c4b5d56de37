import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

/** A damaged line written on purpose, reported to the ground truth with its 1-based line number. */
export interface Injection {
  /** Builds the broken text from the record that follows it (which is still written intact). */
  make(next: string): string;
  why: string;
}

export type InjectionSink = (file: string, line: number, why: string) => void;

const CHUNK = 1 << 20;

/**
 * Appends lines to one file in ~1 MiB chunks, opening it on first use. Counts lines so injected
 * damage can be reported by line number; never holds more than one chunk.
 */
export class LineWriter {
  readonly rel: string;
  private readonly abs: string;
  private fd: number | null = null;
  private buf: string[] = [];
  private bufLen = 0;
  private last = '';
  lines = 0;
  bytes = 0;
  private readonly injections = new Map<number, Injection>();
  private tail: Injection | null = null;
  private onInject: InjectionSink | null = null;

  constructor(root: string, rel: string) {
    this.rel = rel;
    this.abs = path.join(root, rel);
  }

  /** Inserts a broken line just before the record that would land on `line`. */
  injectAt(line: number, inj: Injection, sink: InjectionSink): void {
    this.injections.set(line, inj);
    this.onInject = sink;
  }

  /** Ends the file with a partial copy of its last record and no newline. */
  truncateTail(inj: Injection, sink: InjectionSink): void {
    this.tail = inj;
    this.onInject = sink;
  }

  line(text: string): void {
    if (this.injections.size > 0) {
      const inj = this.injections.get(this.lines + 1);
      if (inj) {
        this.injections.delete(this.lines + 1);
        this.push(inj.make(text));
        this.onInject?.(this.rel, this.lines, inj.why);
      }
    }
    this.push(text);
    this.last = text;
  }

  /** Queues one line (the newline is added when the chunk is joined). */
  private push(text: string): void {
    this.buf.push(text);
    this.bufLen += text.length + 1;
    this.lines++;
    if (this.bufLen >= CHUNK) this.flush();
  }

  private flush(tail = ''): void {
    if (this.buf.length === 0 && tail === '') return;
    if (this.fd === null) {
      mkdirSync(path.dirname(this.abs), { recursive: true });
      this.fd = openSync(this.abs, 'w');
    }
    const text = (this.buf.length > 0 ? this.buf.join('\n') + '\n' : '') + tail;
    const written = writeSync(this.fd, text, null, 'utf8');
    if (written === text.length) this.bytes += written;
    else {
      // Non-ASCII text, or a short write: finish from the encoded bytes.
      const data = Buffer.from(text, 'utf8');
      let off = written;
      while (off < data.length) off += writeSync(this.fd, data, off, data.length - off);
      this.bytes += data.length;
    }
    this.buf = [];
    this.bufLen = 0;
  }

  /** True once anything was written (files are only created when they have content). */
  get used(): boolean {
    return this.lines > 0 || this.bufLen > 0 || this.fd !== null;
  }

  close(): void {
    let tail = '';
    if (this.tail && this.last) {
      tail = this.tail.make(this.last);
      this.onInject?.(this.rel, this.lines + 1, this.tail.why);
      this.tail = null;
    }
    this.flush(tail);
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Appends text pieces to a file in ~1 MiB chunks (large JSON documents written piece by piece). */
export class ChunkWriter {
  private readonly lw: LineWriter;
  constructor(root: string, rel: string) {
    this.lw = new LineWriter(root, rel);
  }
  /** Writes `text` followed by a newline. */
  line(text: string): void {
    this.lw.line(text);
  }
  close(): void {
    this.lw.close();
  }
}

/** Writes a whole small file at once (inventory, case.yaml). */
export function writeWhole(root: string, rel: string, data: string | Buffer): number {
  const abs = path.join(root, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  const fd = openSync(abs, 'w');
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  writeSync(fd, buf);
  closeSync(fd);
  return buf.length;
}
