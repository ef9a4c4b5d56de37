import { open, rm } from 'node:fs/promises';
import path from 'node:path';

/** One piece of a content file, cut at a line end. */
export interface ContentChunk {
  /** 0, 1, 2, ... in file order. */
  index: number;
  path: string;
  /** Lines (newline-terminated, or the last one) before this chunk. */
  linesBefore: number;
  /** True when path is a temporary copy the caller removes once read; false for the content file itself. */
  temporary: boolean;
}

const READ_BYTES = 1 << 20;

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(10, from); i !== -1 && i < to; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Cuts a content file into pieces of about `chunkBytes` (each ends at the first line end at or
 * after that size), written one after the other into `dir` and yielded as each is complete, so
 * that a reader can work on one piece while the next is written and each piece is removed (and
 * usually never reaches the disk) before the file is through. A file no larger than one piece is
 * yielded as itself. Bytes are copied as they are: the pieces concatenated are the content.
 */
export async function* contentChunks(contentPath: string, bytes: number, dir: string, chunkBytes: number): AsyncGenerator<ContentChunk> {
  if (bytes <= chunkBytes) {
    yield { index: 0, path: contentPath, linesBefore: 0, temporary: false };
    return;
  }
  const input = await open(contentPath, 'r');
  let out: Awaited<ReturnType<typeof open>> | null = null;
  let outPath = '';
  let index = 0;
  let written = 0;
  let lines = 0;
  let linesBefore = 0;
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(READ_BYTES);
      const { bytesRead } = await input.read(buf, 0, READ_BYTES, null);
      if (bytesRead === 0) break;
      let start = 0;
      while (start < bytesRead) {
        if (out === null) {
          outPath = path.join(dir, `chunk-${String(index).padStart(6, '0')}.json`);
          out = await open(outPath, 'w');
          written = 0;
        }
        // the first line end at or after the chunk size closes the chunk
        const cutFrom = start + Math.max(0, chunkBytes - written - 1);
        const nl = cutFrom < bytesRead ? buf.indexOf(10, cutFrom) : -1;
        const end = nl === -1 || nl >= bytesRead ? bytesRead : nl + 1;
        await out.write(buf, start, end - start);
        lines += countNewlines(buf, start, end);
        written += end - start;
        start = end;
        if (nl !== -1 && nl < bytesRead) {
          await out.close();
          out = null;
          yield { index, path: outPath, linesBefore, temporary: true };
          linesBefore = lines;
          index++;
        }
      }
    }
    if (out !== null) {
      await out.close();
      out = null;
      yield { index, path: outPath, linesBefore, temporary: true };
    }
  } finally {
    if (out !== null) {
      await out.close();
      await rm(outPath, { force: true });
    }
    await input.close();
  }
}
