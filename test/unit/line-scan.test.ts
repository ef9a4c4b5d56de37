import { describe, expect, it } from 'vitest';
import { LineScanner, MAX_RECORD_BYTES } from '../../src/acquire/line-scan.js';

function scan(chunks: (string | Buffer)[]) {
  const s = new LineScanner();
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c);
  return s.finish();
}

describe('LineScanner', () => {
  it('counts lines and keeps a clean file on the fast path, trailing blank lines included', () => {
    const r = scan(['{"a":1}\n{"a":2}\n', '{"a":3}\n\n\n']);
    expect(r).toMatchObject({ lines: 3, blankLines: 2, clean: true });
  });

  it('counts a last line without a newline', () => {
    expect(scan(['{"a":1}\n{"a"', ':2}'])).toMatchObject({ lines: 2, clean: true });
  });

  it('sends blank lines between records to the line-exact path', () => {
    expect(scan(['{"a":1}\n  \r\n{"a":2}\n'])).toMatchObject({ lines: 2, blankLines: 1, clean: false, uncleanReason: 'blank lines between records' });
    expect(scan(['\n{"a":1}\n'])).toMatchObject({ clean: false });
  });

  it('finds invalid UTF-8, also across chunk boundaries, and accepts a character split across chunks', () => {
    const euro = Buffer.from('{"x":"€"}\n');
    expect(scan([euro.subarray(0, 7), euro.subarray(7)])).toMatchObject({ clean: true });
    expect(scan([Buffer.from([0x7b, 0xff, 0x7d, 0x0a])])).toMatchObject({ clean: false, uncleanReason: 'invalid UTF-8' });
    expect(scan([Buffer.from('{"x":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}\n')])).toMatchObject({ clean: false });
  });

  it('flags a line over the record limit without holding it', () => {
    const big = Buffer.alloc(MAX_RECORD_BYTES + 10, 0x61);
    expect(scan(['{"a":1}\n', big, '\n{"a":2}\n'])).toMatchObject({ lines: 3, clean: false, uncleanReason: 'a line is over 16 MiB' });
  });

  it('notices a byte-order mark and an empty file', () => {
    expect(scan([Buffer.from([0xef, 0xbb, 0xbf]), '{"a":1}\n'])).toMatchObject({ bom: true, clean: false });
    expect(scan([])).toMatchObject({ lines: 0, clean: false });
  });
});
