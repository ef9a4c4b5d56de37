import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EvidenceBatch } from '../../src/collect/aws/evidence-file.js';
import { tempDir } from '../helpers/case.js';

describe('EvidenceBatch: a trail file is named (recorded) only once it is durable at its final name', () => {
  it('keeps files under .partial until their batch syncs, then renames them and runs their callbacks in order', async () => {
    const t = tempDir();
    try {
      const b = new EvidenceBatch();
      const done: string[] = [];
      const a1 = path.join(t.dir, 's3', 'bucket', 'a', '1.json.gz');
      const a2 = path.join(t.dir, 's3', 'bucket', 'a', '2.json.gz');
      const c1 = path.join(t.dir, 's3', 'bucket', 'c', '1.json.gz');
      await b.write(a1, Buffer.from('first'), () => done.push('a1'));
      await b.write(a2, Buffer.alloc(0), () => done.push('a2'));
      const first = b.take();
      await b.write(c1, Buffer.from([0, 1, 2, 255]), () => done.push('c1'));
      expect(existsSync(a1)).toBe(false);
      expect(readFileSync(`${a1}.partial`, 'utf8')).toBe('first');
      expect(done).toEqual([]);
      await first.sync();
      expect(done).toEqual(['a1', 'a2']);
      expect(readFileSync(a1, 'utf8')).toBe('first');
      expect(readFileSync(a2).length).toBe(0);
      expect(existsSync(`${a1}.partial`)).toBe(false);
      expect(existsSync(c1)).toBe(false); // written after the batch was taken: the next batch's
      await b.take().sync();
      expect(done).toEqual(['a1', 'a2', 'c1']);
      expect([...readFileSync(c1)]).toEqual([0, 1, 2, 255]);
      await b.take().sync(); // an empty batch is a no-op
      expect(done).toHaveLength(3);
    } finally {
      t.cleanup();
    }
  });
});
