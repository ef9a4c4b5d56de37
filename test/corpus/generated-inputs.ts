/**
 * Bad inputs of the corpus that cannot live in git as files: too large (a megabyte of blank lines),
 * binary (corrupt gzip), or not files at all (links out of the tree, loops, FIFOs, sockets,
 * devices). Each is made in the input folder by the driver, with what must become of it.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { corruptGzip } from '../helpers/bad-gzip.js';
import { tetragonLines } from '../helpers/tetragon-lines.js';
import type { Expectation } from './expectation.js';

export interface GeneratedInput {
  /** What must become of each input it makes, by file name (its origin's last segment, unique in the corpus). */
  expects: Record<string, Expectation>;
  /** Makes it under `dir` (the tree given to ingest); `outside` is a folder outside that tree. Returns a cleanup, if any. */
  make(dir: string, outside: string): (() => void) | void;
}

const lines = (n: number, node: string): string => tetragonLines(n, { node }).join('\n') + '\n';

/** Byte offset just after line n (1-based). */
function afterLine(data: Buffer, n: number): number {
  let at = 0;
  for (let i = 0; i < n; i++) at = data.indexOf('\n', at) + 1;
  return at;
}

export const GENERATED: GeneratedInput[] = [
  {
    expects: { 'p3-leading-blank-lines-1.3MiB.json': { why: 'more blank lines before the records than the 1 MiB detection sniffs', status: 'landed', source: 'tetragon', landed: 3, rejects: {} } },
    make: (dir) => writeFileSync(path.join(dir, 'p3-leading-blank-lines-1.3MiB.json'), '\n'.repeat(1_300_000) + lines(3, 'node-blank')),
  },
  {
    expects: { 'p3-corrupt-deflate-mid.json.gz': {
      why: 'a gzip member corrupt after 40 of its 80 lines: what inflated lands, the rest is rejected with its byte offset',
      status: 'landed',
      source: 'tetragon',
      landed: 40,
      rejects: { gzip_corrupt: 1 },
    } },
    make: (dir) => {
      const data = Buffer.from(lines(80, 'node-gz'));
      writeFileSync(path.join(dir, 'p3-corrupt-deflate-mid.json.gz'), corruptGzip(data, afterLine(data, 40)).bytes);
    },
  },
  {
    expects: { 'p3-corrupt-deflate-mid-line.json.gz': { why: 'corruption in the middle of a line: the cut line is a truncated_record', status: 'landed', source: 'tetragon', landed: 10, rejects: { gzip_corrupt: 1, truncated_record: 1 } } },
    make: (dir) => {
      const data = Buffer.from(lines(20, 'node-gz2'));
      writeFileSync(path.join(dir, 'p3-corrupt-deflate-mid-line.json.gz'), corruptGzip(data, afterLine(data, 10) + 30).bytes);
    },
  },
  {
    expects: { 'p3-corrupt-deflate-at-start.json.gz': { why: 'a gzip stream corrupt from its first block: refused, naming the gzip problem', status: 'refused', refusal: '^nothing inflated: gzip_corrupt at byte 15 ' } },
    make: (dir) => writeFileSync(path.join(dir, 'p3-corrupt-deflate-at-start.json.gz'), corruptGzip(Buffer.from(lines(5, 'node-gz3')), 0).bytes),
  },
  {
    expects: { 'p2-link-to-host-file.pem': { why: 'a symlink out of the input tree to a host secret', status: 'refused', refusal: 'symbolic link to .*host-secret\\.pem, outside the input tree' } },
    make: (dir, outside) => {
      writeFileSync(path.join(outside, 'host-secret.pem'), '-----BEGIN PRIVATE KEY-----\n');
      symlinkSync(path.join(outside, 'host-secret.pem'), path.join(dir, 'p2-link-to-host-file.pem'));
    },
  },
  {
    expects: { 'p2-link-to-etc-passwd.json': { why: 'a symlink to /etc/passwd', status: 'refused', refusal: 'symbolic link to /etc/passwd, outside the input tree' } },
    make: (dir) => symlinkSync('/etc/passwd', path.join(dir, 'p2-link-to-etc-passwd.json')),
  },
  {
    expects: { 'p2-link-to-proc-environ.json': { why: "a symlink to /proc/self/environ (podtrail's own environment)", status: 'refused', refusal: 'symbolic link to /proc/self/environ' } },
    make: (dir) => symlinkSync('/proc/self/environ', path.join(dir, 'p2-link-to-proc-environ.json')),
  },
  {
    expects: { 'p2-link-loop.json': { why: 'a symlink to itself', status: 'refused', refusal: 'symbolic link loop' } },
    make: (dir) => symlinkSync('p2-link-loop.json', path.join(dir, 'p2-link-loop.json')),
  },
  {
    expects: { 'p2-dir-link-to-parent': { why: 'a folder link back to its parent (a walk that never ends)', status: 'refused', refusal: 'symbolic link loop' } },
    make: (dir) => {
      mkdirSync(path.join(dir, 'p2-nested'));
      symlinkSync('..', path.join(dir, 'p2-nested', 'p2-dir-link-to-parent'));
    },
  },
  {
    expects: { 'p2-dangling-link.json': { why: 'a symlink whose target does not exist', status: 'refused', refusal: 'dangling symbolic link' } },
    make: (dir) => symlinkSync(path.join(dir, 'no-such-file.json'), path.join(dir, 'p2-dangling-link.json')),
  },
  {
    expects: { 'p2-fifo.json': { why: 'a FIFO: reading it would block the ingest forever', status: 'refused', refusal: 'FIFO \\(named pipe\\): not read' } },
    make: (dir) => {
      if (spawnSync('mkfifo', [path.join(dir, 'p2-fifo.json')]).status !== 0) throw new Error('mkfifo failed');
    },
  },
  {
    expects: { 'p2-socket.json': { why: 'a Unix socket', status: 'refused', refusal: 'a socket: not read' } },
    make: (dir) => {
      const server = net.createServer().listen(path.join(dir, 'p2-socket.json'));
      return () => server.close();
    },
  },
  {
    expects: { 'p2-link-to-dev-zero.json': { why: 'a symlink to an endless device', status: 'refused', refusal: 'symbolic link to /dev/zero' } },
    make: (dir) => symlinkSync('/dev/zero', path.join(dir, 'p2-link-to-dev-zero.json')),
  },
  {
    expects: { [`p2-${'long-name-'.repeat(23)}.json`]: { why: 'a 241-byte name: evidence id + name would not fit a raw/ file name', status: 'landed', source: 'tetragon', landed: 2, rejects: {} } },
    make: (dir) => writeFileSync(path.join(dir, `p2-${'long-name-'.repeat(23)}.json`), lines(2, 'node-long')),
  },
  {
    expects: {
      'p2-a-link-target.json': { why: 'the target of a link inside the tree', status: 'landed', source: 'tetragon', landed: 2, rejects: {} },
      'p2-link-inside-tree.json': { why: 'a symlink to a file inside the tree: followed (same bytes as its target)', status: 'already-ingested' },
    },
    make: (dir) => {
      writeFileSync(path.join(dir, 'p2-a-link-target.json'), lines(2, 'node-target'));
      symlinkSync('p2-a-link-target.json', path.join(dir, 'p2-link-inside-tree.json'));
    },
  },
];

/** A character device, when this machine lets the test make one (root): refused by name. */
export function deviceInput(): GeneratedInput {
  return {
    expects: { 'p2-char-device.json': { why: 'a character device (/dev/null made with mknod)', status: 'refused', refusal: 'a character device: not read' } },
    make: (dir) => {
      if (spawnSync('mknod', [path.join(dir, 'p2-char-device.json'), 'c', '1', '3']).status !== 0) throw new Error('mknod failed');
    },
  };
}

export function canMakeDevices(dir: string): boolean {
  const probe = path.join(dir, '.probe-device');
  const ok = spawnSync('mknod', [probe, 'c', '1', '3']).status === 0;
  spawnSync('rm', ['-f', probe]);
  return ok;
}
