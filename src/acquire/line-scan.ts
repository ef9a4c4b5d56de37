import { isUtf8 } from 'node:buffer';

import { MAX_RECORD_BYTES } from '../core/limits.js';

export { MAX_RECORD_BYTES };
/** Bytes of the content kept for format detection. */
export const SNIFF_BYTES = 1024 * 1024;

export interface LineScanResult {
  /** Non-blank lines. */
  lines: number;
  blankLines: number;
  /** True when every problem is one read_json can pass over without shifting line numbers. */
  clean: boolean;
  /** Why the file is not clean (first reason seen), for the log. */
  uncleanReason: string | null;
  /**
   * SNIFF_BYTES bytes of the content from its first byte that is not blank (leading blank lines,
   * spaces and a byte-order mark skipped, however many): what format detection looks at.
   */
  head: Buffer;
  /** Offset of head in the content. */
  headStart: number;
  bytes: number;
  /** The content starts with a UTF-8 byte-order mark. */
  bom: boolean;
}

/**
 * Scans content bytes in one pass, chunk by chunk, without converting them to strings:
 * counts lines and blank lines and decides whether the fast path (DuckDB read_json over the
 * whole file, row order = line order) keeps exact line numbers. It does not, and the file goes
 * to the line-exact path, when a blank line sits between records (read_json skips it), a line
 * is not valid UTF-8, or a line is over MAX_RECORD_BYTES.
 */
export class LineScanner {
  private lines = 0;
  private blank = 0;
  private pendingBlank = 0;
  private lineBytes = 0;
  private lineHasContent = false;
  private uncleanReason: string | null = null;
  private headParts: Buffer[] = [];
  private headLen = 0;
  private headStart = -1;
  private firstBytes: Buffer = Buffer.alloc(0);
  private total = 0;
  /** Bytes of a UTF-8 character split across chunks. */
  private carry: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    if (this.firstBytes.length < 3) this.firstBytes = Buffer.concat([this.firstBytes, chunk.subarray(0, 3 - this.firstBytes.length)]);
    let from = 0;
    if (this.headStart === -1) {
      // skip what is blank at the start of the content (a BOM included) before keeping the head
      while (from < chunk.length && isLeadingBlank(chunk, from, this.total + from)) from++;
      if (from < chunk.length) this.headStart = this.total + from;
    }
    if (this.headStart !== -1 && this.headLen < SNIFF_BYTES) {
      const part = chunk.subarray(from, from + SNIFF_BYTES - this.headLen);
      this.headParts.push(Buffer.from(part));
      this.headLen += part.length;
    }
    this.total += chunk.length;
    if (this.uncleanReason === null) this.checkUtf8(chunk);
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      this.consume(chunk, start, end);
      if (nl === -1) break;
      this.endLine();
      start = nl + 1;
    }
  }

  /** UTF-8 validity of the whole stream, one native check per chunk (a split character is carried). */
  private checkUtf8(chunk: Buffer): void {
    let body = chunk;
    if (this.carry.length > 0) {
      const need = utf8Length(this.carry[0]!) - this.carry.length;
      const joined = Buffer.concat([this.carry, chunk.subarray(0, need)]);
      if (!isUtf8(joined)) this.uncleanReason = 'invalid UTF-8';
      body = chunk.subarray(need);
      this.carry = Buffer.alloc(0);
    }
    const cut = utf8SafeCut(body);
    if (!isUtf8(body.subarray(0, cut))) this.uncleanReason = 'invalid UTF-8';
    this.carry = Buffer.from(body.subarray(cut));
  }

  private consume(chunk: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.lineBytes += end - start;
    if (!this.lineHasContent) {
      for (let i = start; i < end; i++) {
        const b = chunk[i]!;
        if (b !== 32 && b !== 9 && b !== 13) {
          this.lineHasContent = true;
          break;
        }
      }
    }
    if (this.lineBytes > MAX_RECORD_BYTES && this.uncleanReason === null) this.uncleanReason = 'a line is over 16 MiB';
  }

  private endLine(): void {
    if (this.lineHasContent) {
      if (this.pendingBlank > 0 && this.uncleanReason === null) this.uncleanReason = 'blank lines between records';
      this.lines++;
    } else {
      this.blank++;
      this.pendingBlank++;
    }
    this.lineBytes = 0;
    this.lineHasContent = false;
  }

  finish(): LineScanResult {
    if (this.carry.length > 0 && this.uncleanReason === null) this.uncleanReason = 'invalid UTF-8';
    if (this.lineBytes > 0) this.endLine();
    const head = Buffer.concat(this.headParts);
    const f = this.firstBytes;
    const bom = f.length >= 3 && f[0] === 0xef && f[1] === 0xbb && f[2] === 0xbf;
    return {
      lines: this.lines,
      blankLines: this.blank,
      clean: this.uncleanReason === null && !bom && this.lines > 0,
      uncleanReason: bom ? 'byte-order mark' : this.uncleanReason,
      head,
      headStart: this.headStart === -1 ? this.total : this.headStart,
      bytes: this.total,
      bom,
    };
  }
}

/** A byte at the very start that is not content: whitespace, or the BOM's bytes at offsets 0-2. */
function isLeadingBlank(chunk: Buffer, i: number, offset: number): boolean {
  const b = chunk[i]!;
  if (b === 32 || b === 9 || b === 13 || b === 10) return true;
  return offset < 3 && b === [0xef, 0xbb, 0xbf][offset];
}

function utf8Length(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
}

/** Length of the longest prefix of buf that does not end inside a UTF-8 multi-byte sequence. */
function utf8SafeCut(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = buf[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? n - back : n;
    }
    return n;
  }
  return n;
}
