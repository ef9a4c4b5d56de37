import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash, randomFillSync } from 'node:crypto';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { acquireFile } from '../../src/acquire/acquire-file.js';
import { HashWorker, inlineHasher } from '../../src/acquire/hash-worker.js';
import { tempDir } from '../helpers/case.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Deterministic bytes that are JSON-free noise plus newlines, `n` long. */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i += 4096) {
    x = (x * 1103515245 + 12345) >>> 0;
    b.fill(97 + (x % 26), i, Math.min(n, i + 4096));
    if (i + 100 < n) b[i + 100] = 10;
  }
  return b;
}

describe('hashing on a worker thread', () => {
  it('gives the digest of the bytes in the order sent, for pooled, sliced and whole buffers, file after file', async () => {
    const hashes = new HashWorker();
    try {
      for (const seed of [1, 2]) {
        const parts = [Buffer.from('a'), bytes(1 << 20, seed), bytes(3000, seed).subarray(10, 2500), Buffer.alloc(0), randomFillSync(Buffer.alloc(70_001))];
        const h = hashes.hasher();
        for (const p of parts) await h.update(Buffer.from(p));
        expect(await h.digest()).toBe(sha(Buffer.concat(parts)));
      }
    } finally {
      await hashes.close();
    }
  });

  it('the inline hasher agrees', async () => {
    const h = inlineHasher();
    await h.update(Buffer.from('podtrail'));
    expect(await h.digest()).toBe(sha(Buffer.from('podtrail')));
  });

  it('acquisition of a file over 16 MiB (hashed on the worker): the copy and its hash match the original, plain and gzip', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const plain = bytes(17 * 1024 * 1024 + 12345, 7);
    const hashes = new HashWorker();
    try {
      for (const [name, content] of [['plain', plain], ['gz', gzipSync(plain, { level: 1 })]] as const) {
        const src = path.join(t.dir, `${name}.in`);
        writeFileSync(src, content);
        const r = await acquireFile(src, path.join(t.dir, `${name}.raw`), path.join(t.dir, `${name}.inflated`), hashes);
        expect(r.sha256).toBe(sha(content));
        expect(r.size).toBe(content.length);
        expect(readFileSync(path.join(t.dir, `${name}.raw`)).equals(content)).toBe(true);
        if (name === 'gz') expect(r.gzip!.inflatedSha256).toBe(sha(plain));
        else expect(r.scan.lines).toBe(plain.toString('latin1').split('\n').filter((l) => l.trim() !== '').length);
      }
    } finally {
      await hashes.close();
    }
  });
});
