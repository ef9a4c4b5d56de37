import { afterEach, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { acquireFile } from '../../src/acquire/acquire-file.js';
import { parseGzipHeader } from '../../src/acquire/gzip-frame.js';
import { tempDir } from '../helpers/case.js';
import { corruptGzip } from '../helpers/bad-gzip.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

async function acquire(bytes: Buffer) {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const src = path.join(t.dir, 'in');
  writeFileSync(src, bytes);
  const r = await acquireFile(src, path.join(t.dir, 'raw'), path.join(t.dir, 'inflated'));
  return { r, inflated: r.gzip ? readFileSync(path.join(t.dir, 'inflated'), 'utf8') : null, raw: readFileSync(path.join(t.dir, 'raw')) };
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const member = (s: string) => gzipSync(Buffer.from(s));
/** Lines that do not compress to almost nothing, so a cut or a flipped byte lands mid-stream. */
const varied = (n: number) => Array.from({ length: n }, (_, i) => `{"a":${(i * 7919) % 10007},"b":"${((i * 104729) % 99991).toString(36)}"}\n`).join('');

describe('acquisition of gzip input (framing checked by podtrail, not by gunzip)', () => {
  it('hashes the stored bytes and the inflated content', async () => {
    const gz = member('{"a":1}\n{"a":2}\n');
    const { r, inflated, raw } = await acquire(gz);
    expect(raw.equals(gz)).toBe(true);
    expect(r.sha256).toBe(sha(gz));
    expect(r.gzip).toMatchObject({ inflatedSha256: sha('{"a":1}\n{"a":2}\n'), inflatedSize: 16, members: 1, problems: [] });
    expect(inflated).toBe('{"a":1}\n{"a":2}\n');
    expect(r.scan).toMatchObject({ lines: 2, clean: true });
  });

  it('reads every member of a multi-member file', async () => {
    const { r, inflated } = await acquire(Buffer.concat([member('{"a":1}\n'), member('{"a":2}\n')]));
    expect(r.gzip).toMatchObject({ members: 2, problems: [] });
    expect(inflated).toBe('{"a":1}\n{"a":2}\n');
  });

  it('reports a truncated stream with its byte offset and keeps what inflated', async () => {
    const text = varied(3000);
    const gz = member(text);
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    const { r, inflated } = await acquire(cut);
    expect(r.gzip!.problems).toEqual([{ code: 'gzip_truncated', byteOffset: cut.length, message: expect.stringContaining('truncated') }]);
    expect(inflated!.length).toBeGreaterThan(text.length / 4);
    expect(text.startsWith(inflated!)).toBe(true);
  });

  it('reports trailing garbage and trailing zeros after the last member', async () => {
    const gz = member('{"a":1}\n');
    for (const tail of [Buffer.from('garbage'), Buffer.alloc(16)]) {
      const { r } = await acquire(Buffer.concat([gz, tail]));
      expect(r.gzip!.problems).toMatchObject([{ code: 'gzip_trailing_data', byteOffset: gz.length }]);
    }
  });

  it('reports a CRC mismatch', async () => {
    const gz = Buffer.from(member('{"a":1}\n'));
    gz[gz.length - 8] ^= 0xff;
    const { r } = await acquire(gz);
    expect(r.gzip!.problems).toMatchObject([{ code: 'gzip_crc_mismatch' }]);
  });

  it('reports corrupt deflate data', async () => {
    const gz = Buffer.from(member(varied(3000)));
    for (let i = 0; i < 64; i++) gz[Math.floor(gz.length / 2) + i] ^= 0x5a;
    const { r } = await acquire(gz);
    expect(['gzip_corrupt', 'gzip_crc_mismatch']).toContain(r.gzip!.problems[0]!.code);
  });

  it('keeps every byte a corrupt deflate stream yields before the corruption, and names its offset', async () => {
    const data = Buffer.from(varied(40000));
    for (const at of [0, 1, 100_000, 700_123, data.length - 10]) {
      const { bytes, corruptAt } = corruptGzip(data, at);
      const { r, inflated } = await acquire(bytes);
      expect(r.gzip!.problems, `at ${at}`).toMatchObject([{ code: 'gzip_corrupt', byteOffset: corruptAt }]);
      expect(inflated, `at ${at}`).toBe(data.subarray(0, at).toString('utf8'));
      expect(r.gzip!.inflatedSize).toBe(at);
    }
  });

  it('parses header flags (FNAME, FEXTRA)', () => {
    const h = Buffer.from([0x1f, 0x8b, 8, 0x0c, 0, 0, 0, 0, 0, 3, 2, 0, 0x41, 0x42, 0x61, 0x2e, 0x6a, 0]);
    expect(parseGzipHeader(h)).toEqual({ length: 18 });
    expect(parseGzipHeader(Buffer.from([0x1f, 0x8c, 8, 0, 0, 0, 0, 0, 0, 3]))).toEqual({ error: 'not a gzip member (bad magic)' });
  });
});
