/**
 * What an ingest reads of an input tree: links are followed only when their resolved target stays
 * inside the tree that was given; links out of it (host files, /proc, the case itself), loops,
 * dangling links, FIFOs, sockets and devices are refused by name, never read, and the other files
 * of the tree are acquired; an over-long name is acquired under a shortened raw/ name; nothing is
 * left in raw/. Origins are recorded as given (links not resolved), so a folder reached through a
 * symlink (as ../shared is in a worktree) records the same origins and findings.
 */
import { describe, expect, it } from 'vitest';
import { scratch } from './scratch.js';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { ingest, query } from '../helpers/case.js';
import { tetragonLines } from '../helpers/tetragon-lines.js';
import { casePaths } from '../../src/case/case-paths.js';
import { readCustody } from '../../src/custody/custody-log.js';
import { caseProblems } from './invariants.js';

const { newCase, dir } = scratch();

describe('links and special files in an input tree', () => {
  it('follows links inside the tree, refuses by name everything else, acquires the rest', async () => {
    const caseDir = newCase();
    const host = dir();
    writeFileSync(path.join(host, 'secret.pem'), '-----BEGIN PRIVATE KEY-----\nnot evidence\n');
    const tree = dir();
    mkdirSync(path.join(tree, 'node-a'));
    mkdirSync(path.join(tree, 'deep'));
    writeFileSync(path.join(tree, 'node-a', 'a.json'), tetragonLines(3).join('\n') + '\n');
    symlinkSync(path.join(tree, 'node-a', 'a.json'), path.join(tree, 'same-as-a.json'));
    symlinkSync(path.join(tree, 'node-a'), path.join(tree, 'node-a-again'));
    symlinkSync(path.join(host, 'secret.pem'), path.join(tree, 'host-key.pem'));
    symlinkSync('/etc/passwd', path.join(tree, 'passwd.json'));
    symlinkSync('/proc/self/environ', path.join(tree, 'environ.json'));
    symlinkSync(caseDir, path.join(tree, 'the-case'));
    symlinkSync('loop.json', path.join(tree, 'loop.json'));
    symlinkSync(path.join(tree, 'missing.json'), path.join(tree, 'dangling.json'));
    symlinkSync('..', path.join(tree, 'deep', 'up'));
    const long = `${'n'.repeat(245)}.json`;
    writeFileSync(path.join(tree, long), tetragonLines(2, { node: 'node-long' }).join('\n') + '\n');
    expect(spawnSync('mkfifo', [path.join(tree, 'pipe.json')]).status).toBe(0);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(tree, 'sock.json'), resolve));
    const device = spawnSync('mknod', [path.join(tree, 'null.json'), 'c', '1', '3']).status === 0;
    try {
      const r = await ingest(caseDir, [tree]);
      const by = new Map(r.files.map((f) => [path.basename(f.origin), f]));
      const refused = (name: string): string => {
        const f = by.get(name);
        expect(f, name).toBeDefined();
        expect(f!.status, `${name}: ${f!.message}`).toBe('refused');
        return f!.message;
      };
      expect(by.get('a.json')!.status).toBe('landed');
      expect(by.get(long)!.status).toBe('landed');
      expect(by.get('same-as-a.json')!.status).toBe('already-ingested');
      expect(refused('host-key.pem')).toMatch(new RegExp(`symbolic link to ${host}/secret.pem, outside the input tree`));
      expect(refused('passwd.json')).toMatch(/symbolic link to \/etc\/passwd, outside the input tree/);
      expect(refused('environ.json')).toMatch(/symbolic link to \/proc\/self\/environ .*outside the input tree/);
      expect(refused('the-case')).toMatch(/outside the input tree/);
      expect(refused('loop.json')).toMatch(/symbolic link loop/);
      expect(refused('dangling.json')).toMatch(/dangling symbolic link/);
      expect(refused('up')).toMatch(/symbolic link loop/);
      expect(refused('pipe.json')).toMatch(/FIFO \(named pipe\): not read/);
      expect(refused('sock.json')).toMatch(/a socket: not read/);
      if (device) expect(refused('null.json')).toMatch(/character device: not read/);
      // node-a-again is a link inside the tree to a folder already read
      expect(refused('node-a-again')).toMatch(/already read/);

      const p = casePaths(caseDir);
      const raw = readdirSync(p.raw).sort();
      expect(raw).toHaveLength(2);
      expect(raw.every((f) => Buffer.byteLength(f) <= 255)).toBe(true);
      expect(raw.some((f) => f.endsWith('~.json'))).toBe(true);
      for (const f of raw) expect(readFileSync(path.join(p.raw, f), 'utf8')).not.toMatch(/PRIVATE KEY|root:|PATH=/);
      // every refusal is in the custody log, by origin
      const custodyRefusals = readCustody(p.custody).entries.filter((e) => e.action === 'refused' && e.object['evidence_file_id'] === null);
      expect(custodyRefusals.map((e) => path.basename(String(e.object['origin']))).sort()).toEqual(
        r.files.filter((f) => f.status === 'refused').map((f) => path.basename(f.origin)).sort(),
      );
      expect(await caseProblems(caseDir)).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('a tree of nothing but refused files is nothing usable; a link given on the command line is followed', async () => {
    const caseDir = newCase();
    const tree = dir();
    symlinkSync('/etc/hostname', path.join(tree, 'h.json'));
    const r = await ingest(caseDir, [tree]);
    expect(r.usable).toBe(false);
    expect(r.files.map((f) => f.status)).toEqual(['refused']);

    const real = dir();
    writeFileSync(path.join(real, 'x.json'), tetragonLines(2).join('\n') + '\n');
    const via = path.join(dir(), 'given-link.json');
    symlinkSync(path.join(real, 'x.json'), via);
    const g = await ingest(caseDir, [via]);
    expect(g.files[0]).toMatchObject({ status: 'landed', origin: via });
  });
});

describe('origins as given', () => {
  it('a folder reached through a symlink records the path as given, and the same findings as the real folder', async () => {
    const real = dir();
    writeFileSync(path.join(real, 'x.json'), ['not json', ...tetragonLines(2)].join('\n') + '\n');
    const linkParent = dir();
    const viaLink = path.join(linkParent, 'shared');
    symlinkSync(real, viaLink);

    const a = newCase();
    const b = newCase();
    const ra = await ingest(a, [path.join(viaLink, 'x.json')]);
    const rb = await ingest(b, [path.join(real, 'x.json')]);
    expect(ra.files[0]!.origin).toBe(path.join(viaLink, 'x.json'));
    expect(rb.files[0]!.origin).toBe(path.join(real, 'x.json'));
    const cols = 'evidence_file_id, sha256, raw_path, status, records_total, records_landed, records_rejected';
    expect(await query(a, `select ${cols} from evidence_files`)).toEqual(await query(b, `select ${cols} from evidence_files`));
    expect(await query(a, 'select * from ingest_rejects')).toEqual(await query(b, 'select * from ingest_rejects'));
  });

  it('an input inside the case is recorded relative to it, also when the case is given through a link', async () => {
    const caseDir = newCase();
    mkdirSync(path.join(caseDir, 'inputs'));
    writeFileSync(path.join(caseDir, 'inputs', 'x.json'), tetragonLines(1).join('\n') + '\n');
    const link = path.join(dir(), 'case-link');
    symlinkSync(caseDir, link);
    const r = await ingest(link, [path.join(caseDir, 'inputs', 'x.json')]);
    expect(r.files[0]!.origin).toBe('inputs/x.json');
  });
});
