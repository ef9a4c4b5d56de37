/** RFC 1952 member header: returns its length, or a reason it is not a gzip header. */
export function parseGzipHeader(buf: Buffer): { length: number } | { error: string } {
  if (buf.length < 10) return { error: 'truncated gzip header' };
  if (buf[0] !== 0x1f || buf[1] !== 0x8b) return { error: 'not a gzip member (bad magic)' };
  if (buf[2] !== 8) return { error: `unsupported gzip compression method ${buf[2]}` };
  const flags = buf[3]!;
  if (flags & 0xe0) return { error: 'reserved gzip flag bits set' };
  let pos = 10;
  if (flags & 0x04) {
    if (buf.length < pos + 2) return { error: 'truncated gzip header (FEXTRA)' };
    pos += 2 + buf.readUInt16LE(pos);
  }
  for (const bit of [0x08, 0x10]) {
    if (flags & bit) {
      const end = buf.indexOf(0, pos);
      if (end === -1) return { error: 'truncated gzip header (name or comment)' };
      pos = end + 1;
    }
  }
  if (flags & 0x02) pos += 2;
  if (buf.length < pos) return { error: 'truncated gzip header' };
  return { length: pos };
}

export function isGzipMagic(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}
