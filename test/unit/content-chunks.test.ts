/**
 * contentChunks cuts a content file into pieces at line ends for landing side by side: the pieces
 * concatenated are the file byte for byte, each but the last ends with a newline at or just after
 * the size asked, and each knows how many lines come before it (its rows are numbered from there).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/case.js';
import { contentChunks, type ContentChunk } from '../../src/ingest/content-chunks.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

async function cut(content: Buffer, chunkBytes: number): Promise<{ chunks: ContentChunk[]; bytes: Buffer[]; file: string }> {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const file = path.join(t.dir, 'content.json');
  writeFileSync(file, content);
  const dir = path.join(t.dir, 'pieces');
  mkdirSync(dir);
  const chunks: ContentChunk[] = [];
  const bytes: Buffer[] = [];
  for await (const c of contentChunks(file, content.length, dir, chunkBytes)) {
    chunks.push(c);
    bytes.push(readFileSync(c.path));
  }
  return { chunks, bytes, file };
}

const lines = (n: number, width: (i: number) => number): Buffer =>
  Buffer.from(Array.from({ length: n }, (_, i) => `{"n":${i + 1},"pad":"${'x'.repeat(width(i))}"}`).join('\n') + '\n');

describe('contentChunks', () => {
  it('a file no larger than one piece is its own piece, not copied', async () => {
    const content = lines(10, () => 5);
    const { chunks, file } = await cut(content, content.length);
    expect(chunks).toEqual([{ index: 0, path: file, linesBefore: 0, temporary: false }]);
  });

  for (const [what, size] of [
    ['pieces smaller than the 1 MiB read buffer', 10_000],
    ['pieces larger than the read buffer (the file is 0.4 MB: one read)', 150_000],
    ['pieces of one byte (every line its own piece)', 1],
  ] as const) {
    it(`${what}: lossless, cut at line ends, lines counted`, async () => {
      const content = lines(6_000, (i) => (i * 7919) % 113);
      const { chunks, bytes } = await cut(content, size);
      expect(Buffer.concat(bytes).equals(content)).toBe(true);
      expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
      let before = 0;
      for (const [i, b] of bytes.entries()) {
        expect(chunks[i]!.linesBefore).toBe(before);
        expect(chunks[i]!.temporary).toBe(true);
        expect(b[b.length - 1]).toBe(10);
        // the cut is the first line end at or after the size: the piece minus its last line is smaller
        const lastLineStart = b.lastIndexOf(10, b.length - 2) + 1;
        if (i < bytes.length - 1) expect(lastLineStart).toBeLessThan(size);
        // the first row of the piece is line linesBefore + 1
        expect(JSON.parse(b.subarray(0, b.indexOf(10)).toString()).n).toBe(before + 1);
        before += b.toString('latin1').split('\n').length - 1;
      }
      expect(before).toBe(6_000);
    });
  }

  it('a last line without a newline, and trailing blank lines, stay in the last piece', async () => {
    const content = Buffer.concat([lines(1000, () => 20), Buffer.from('{"n":1001}\n\n  \n{"n":"tail"}')]);
    const { chunks, bytes } = await cut(content, 4096);
    expect(Buffer.concat(bytes).equals(content)).toBe(true);
    expect(bytes[bytes.length - 1]!.toString().endsWith('{"n":"tail"}')).toBe(true);
    expect(chunks.length).toBeGreaterThan(5);
  });

  it('a reader that stops early leaves no partial piece behind', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'content.json');
    writeFileSync(file, lines(20_000, () => 50));
    const dir = path.join(t.dir, 'pieces');
    mkdirSync(dir);
    const gen = contentChunks(file, readFileSync(file).length, dir, 100_000);
    const first = await gen.next();
    await gen.return(undefined);
    expect(first.done).toBe(false);
    // the yielded piece is the reader's to remove; nothing else was written
    expect(existsSync((first.value as ContentChunk).path)).toBe(true);
    expect(readFileSync(path.join(dir, 'chunk-000000.json')).length).toBeGreaterThanOrEqual(100_000);
    expect(existsSync(path.join(dir, 'chunk-000001.json'))).toBe(false);
  });
});
