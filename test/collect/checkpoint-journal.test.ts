/**
 * A checkpoint whose growing arrays are journaled (an AWS collection's objects and files): each
 * commit appends only what was added or changed, the file names the journal and the bytes that
 * belong to it, a commit cut short leaves bytes that are ignored, a whole save starts a new journal,
 * the older inline format is still read, and a failed write never leaves a pointer that lies.
 */
import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/case.js';
import { Checkpoint } from '../../src/collect/common/checkpoint.js';

interface State {
  format: string;
  cursor: string | null;
  objects: { key: string; state: string; meta: Record<string, unknown> | null }[];
  files: { file: string; ingested: boolean }[];
}

const OPTIONS = { journaled: ['objects', 'files'], reads: ['test/v1'] };

function fresh(): { dir: string; file: string; cleanup: () => void } {
  const t = tempDir('podtrail-checkpoint-');
  return { dir: t.dir, file: path.join(t.dir, 'checkpoint.json'), cleanup: t.cleanup };
}

function journals(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith('checkpoint-journal-')).sort();
}

describe('a checkpoint with journaled arrays', () => {
  it('appends only what changed at each commit, and loads back the same state', async () => {
    const t = fresh();
    try {
      const objects = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, state: 'pending', meta: null as Record<string, unknown> | null }));
      const cp = new Checkpoint<State>(t.file, { format: 'test/v2', cursor: null, objects, files: [] }, OPTIONS);
      cp.save();
      const [journal] = journals(t.dir);
      const base = statSync(path.join(t.dir, journal!)).size;
      expect(JSON.parse(readFileSync(t.file, 'utf8'))).toEqual({ format: 'test/v2', cursor: null, checkpoint_journal: { file: journal, bytes: base } });

      objects[3]!.state = 'fetched';
      objects[3]!.meta = { size: 10, etag: 'a' };
      objects[700]!.state = 'missing';
      cp.state.files.push({ file: 's3/k3', ingested: false });
      cp.state.cursor = 'token-2';
      await cp.snapshot().write();
      const lines = readFileSync(path.join(t.dir, journal!), 'utf8').slice(base).split('\n').filter(Boolean);
      expect(lines.map((l) => JSON.parse(l) as { a: string; i: number })).toMatchObject([{ a: 'objects', i: 3 }, { a: 'objects', i: 700 }, { a: 'files', i: 0 }]);

      objects[3]!.meta!['etag'] = 'b'; // changed in place, one level down: still seen
      await cp.snapshot().write();
      await cp.snapshot().write(); // nothing changed: nothing appended
      const loaded = Checkpoint.load<State>(t.file, 'test/v2', OPTIONS)!;
      expect(loaded.state).toEqual(cp.state);
      expect(readFileSync(path.join(t.dir, journal!), 'utf8').slice(base).split('\n').filter(Boolean)).toHaveLength(4);
    } finally {
      t.cleanup();
    }
  });

  it('bytes after the ones the checkpoint names (a commit cut short) are ignored', async () => {
    const t = fresh();
    try {
      const cp = new Checkpoint<State>(t.file, { format: 'test/v2', cursor: 'a', objects: [{ key: 'k0', state: 'pending', meta: null }], files: [] }, OPTIONS);
      cp.save();
      cp.state.objects[0]!.state = 'fetched';
      await cp.snapshot().write();
      appendFileSync(path.join(t.dir, journals(t.dir)[0]!), '{"a":"objects","i":0,"v":{"key":"k0","state":"mis'); // the next commit, killed mid-write
      const loaded = Checkpoint.load<State>(t.file, 'test/v2', OPTIONS)!;
      expect(loaded.state.objects).toEqual([{ key: 'k0', state: 'fetched', meta: null }]);
      // the next run starts a journal of its own
      loaded.state.objects.push({ key: 'k1', state: 'pending', meta: null });
      await loaded.snapshot().write();
      expect(journals(t.dir)).toEqual(['checkpoint-journal-0002.jsonl']);
      expect(Checkpoint.load<State>(t.file, 'test/v2', OPTIONS)!.state.objects.map((o) => o.key)).toEqual(['k0', 'k1']);
    } finally {
      t.cleanup();
    }
  });

  it('reads the older format with its arrays inline, and writes the new one', () => {
    const t = fresh();
    try {
      writeFileSync(t.file, JSON.stringify({ format: 'test/v1', cursor: 'x', objects: [{ key: 'k0', state: 'fetched', meta: null }], files: [{ file: 's3/k0', ingested: true }] }));
      const cp = Checkpoint.load<State>(t.file, 'test/v2', OPTIONS)!;
      expect(cp.state.format).toBe('test/v2');
      cp.save();
      expect(JSON.parse(readFileSync(t.file, 'utf8')).objects).toBeUndefined();
      expect(Checkpoint.load<State>(t.file, 'test/v2', OPTIONS)!.state).toEqual({ format: 'test/v2', cursor: 'x', objects: [{ key: 'k0', state: 'fetched', meta: null }], files: [{ file: 's3/k0', ingested: true }] });
      expect(() => Checkpoint.load<State>(t.file, 'test/v3', OPTIONS)).toThrow(/not a test\/v3 checkpoint/);
    } finally {
      t.cleanup();
    }
  });

  it('a whole save while a commit waits: the older commit is dropped, one journal is left', async () => {
    const t = fresh();
    try {
      const cp = new Checkpoint<State>(t.file, { format: 'test/v2', cursor: null, objects: [], files: [] }, OPTIONS);
      cp.save();
      cp.state.objects.push({ key: 'k0', state: 'pending', meta: null });
      const older = cp.snapshot();
      cp.state.objects.push({ key: 'k1', state: 'pending', meta: null });
      cp.save();
      await older.write();
      expect(journals(t.dir)).toEqual(['checkpoint-journal-0002.jsonl']);
      expect(Checkpoint.load<State>(t.file, 'test/v2', OPTIONS)!.state.objects.map((o) => o.key)).toEqual(['k0', 'k1']);
    } finally {
      t.cleanup();
    }
  });

  it('a failed write: the commits taken before it are not written (their journal lengths assumed it), the next one starts a new journal', async () => {
    const t = fresh();
    try {
      const cp = new Checkpoint<State>(t.file, { format: 'test/v2', cursor: null, objects: [], files: [] }, OPTIONS);
      cp.save();
      const journal = path.join(t.dir, journals(t.dir)[0]!);
      cp.state.objects.push({ key: 'k0', state: 'pending', meta: null });
      const failing = cp.snapshot();
      cp.state.objects.push({ key: 'k1', state: 'pending', meta: null });
      const after = cp.snapshot();
      rmSync(journal);
      mkdirSync(journal); // appending to it fails
      await expect(failing.write()).rejects.toThrow();
      await expect(after.write()).rejects.toThrow(/an earlier checkpoint write failed/);
      rmSync(journal, { recursive: true });
      cp.state.objects.push({ key: 'k2', state: 'pending', meta: null });
      await cp.snapshot().write();
      expect(Checkpoint.load<State>(t.file, 'test/v2', OPTIONS)!.state.objects.map((o) => o.key)).toEqual(['k0', 'k1', 'k2']);
    } finally {
      t.cleanup();
    }
  });

  it('a checkpoint whose journal is shorter than it says is refused, naming the file', () => {
    const t = fresh();
    try {
      const cp = new Checkpoint<State>(t.file, { format: 'test/v2', cursor: null, objects: [{ key: 'k0', state: 'pending', meta: null }], files: [] }, OPTIONS);
      cp.save();
      writeFileSync(path.join(t.dir, journals(t.dir)[0]!), '');
      expect(() => Checkpoint.load<State>(t.file, 'test/v2', OPTIONS)).toThrow(/checkpoint\.json: unreadable collection checkpoint \(its journal checkpoint-journal-0001\.jsonl holds 0 of the \d+ bytes it names\)/);
    } finally {
      t.cleanup();
    }
  });
});
