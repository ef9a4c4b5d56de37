import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { MAX_RECORD_BYTES } from '../acquire/line-scan.js';
import { redactExcerpt } from './excerpt.js';
import type { RejectReason } from './reject-reasons.js';

export interface LineReject {
  line: number;
  ordinal: number;
  reason: RejectReason;
  excerpt: string;
}

export interface SplitResult {
  /** Non-blank lines (= value ordinals handed out). */
  values: number;
  blankLines: number;
  rejects: LineReject[];
  /** Bytes of the longest wrapper record written: the reader's buffer is sized from it. */
  maxRecordBytes: number;
}

const EXCERPT_BYTES = 200;

/** Text of at most EXCERPT_BYTES bytes, invalid UTF-8 bytes and control characters shown as \xNN. */
export function excerptOf(bytes: Buffer): string {
  const slice = bytes.subarray(0, EXCERPT_BYTES);
  let out = '';
  if (isUtf8(slice)) out = slice.toString('utf8');
  else for (const b of slice) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  // eslint-disable-next-line no-control-regex
  out = out.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return redactExcerpt(out);
}

/**
 * The line-exact path: splits content into lines without parsing JSON, writes every usable
 * non-blank line to `wrapperPath` as {"l": line, "o": value ordinal, "t": "<text>"} for DuckDB to
 * parse, and rejects here what DuckDB must never see: invalid UTF-8, lines over 16 MiB (never
 * buffered whole), the cut-off last line of a truncated gzip stream, and (columns mode) lines the
 * duplicate-key scan flagged, which DuckDB's lenient reader would land with the first value.
 */
export async function splitLines(
  contentPath: string,
  wrapperPath: string,
  opts: { truncated: boolean; bom: boolean; duplicateKeyOrdinals?: ReadonlySet<number> },
): Promise<SplitResult> {
  const out = await open(wrapperPath, 'w');
  const rejects: LineReject[] = [];
  let line = 0;
  let values = 0;
  let blank = 0;
  let parts: Buffer[] = [];
  let len = 0;
  let oversize = false;
  let head: Buffer | null = null;
  let pending: string[] = [];
  let pendingBytes = 0;
  let maxRecordBytes = 0;

  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    await out.write(pending.join(''));
    pending = [];
    pendingBytes = 0;
  };

  const endLine = async (terminated: boolean): Promise<void> => {
    line++;
    let bytes = oversize ? head! : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (line === 1 && opts.bom && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    const isBlank = !oversize && bytes.every((b) => b === 32 || b === 9 || b === 13);
    if (isBlank) blank++;
    else {
      values++;
      if (oversize) rejects.push({ line, ordinal: values, reason: 'record_too_large', excerpt: excerptOf(bytes) });
      else if (!terminated && opts.truncated) rejects.push({ line, ordinal: values, reason: 'truncated_record', excerpt: excerptOf(bytes) });
      else if (!isUtf8(bytes)) rejects.push({ line, ordinal: values, reason: 'invalid_utf8', excerpt: excerptOf(bytes) });
      else if (opts.duplicateKeyOrdinals?.has(values)) rejects.push({ line, ordinal: values, reason: 'duplicate_key', excerpt: excerptOf(bytes) });
      else {
        const rec = `{"l":${line},"o":${values},"t":${JSON.stringify(bytes.toString('utf8'))}}\n`;
        maxRecordBytes = Math.max(maxRecordBytes, Buffer.byteLength(rec));
        pending.push(rec);
        pendingBytes += rec.length;
        if (pendingBytes > 4 << 20) await flush();
      }
    }
    parts = [];
    len = 0;
    oversize = false;
    head = null;
  };

  try {
    for await (const chunk of createReadStream(contentPath, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        const end = nl === -1 ? chunk.length : nl;
        if (end > start) {
          if (!oversize) {
            parts.push(chunk.subarray(start, end));
            len += end - start;
            if (len > MAX_RECORD_BYTES) {
              oversize = true;
              head = Buffer.concat(parts).subarray(0, EXCERPT_BYTES);
              parts = [];
            }
          }
        }
        if (nl === -1) break;
        await endLine(true);
        start = nl + 1;
      }
      // chunks are reused by the stream: keep copies of a partial line
      parts = parts.map((p) => Buffer.from(p));
    }
    if (len > 0 || oversize) await endLine(false);
    await flush();
  } finally {
    await out.close();
  }
  return { values, blankLines: blank, rejects, maxRecordBytes };
}

/** Excerpts of the given lines (1-based), read in one pass. */
export async function excerptsOfLines(contentPath: string, lines: number[]): Promise<Map<number, string>> {
  const want = new Set(lines);
  const found = new Map<number, string>();
  if (want.size === 0) return found;
  const max = Math.max(...want);
  let line = 1;
  let cur: Buffer[] = [];
  let curLen = 0;
  for await (const chunk of createReadStream(contentPath, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      if (want.has(line) && curLen < EXCERPT_BYTES) {
        const piece = Buffer.from(chunk.subarray(start, Math.min(end, start + EXCERPT_BYTES - curLen)));
        cur.push(piece);
        curLen += piece.length;
      }
      if (nl === -1) break;
      if (want.has(line)) found.set(line, excerptOf(Buffer.concat(cur)));
      cur = [];
      curLen = 0;
      line++;
      start = nl + 1;
      if (line > max) return found;
    }
  }
  if (want.has(line) && cur.length > 0) found.set(line, excerptOf(Buffer.concat(cur)));
  return found;
}
