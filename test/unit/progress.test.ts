import { describe, expect, it } from 'vitest';
import { stderrProgress } from '../../src/cli/progress.js';
import { count, formatBytes, lineProgress, toProgress } from '../../src/core/progress.js';

function sink(isTty: boolean, columns = 200) {
  const out: string[] = [];
  return { out, write: (t: string) => out.push(t), isTty, columns };
}

describe('progress', () => {
  it('off a terminal: one line per finished step and per note, nothing live', () => {
    const s = sink(false);
    const p = stderrProgress(s);
    p.begin('landing 2 files', 2048, 'bytes');
    p.tick(1024, 'a.json');
    p.note('landed a.json (tetragon): 1.0 KB, 3 records in 0.10 s');
    p.tick(2048, 'b.json');
    p.end('landed 2 files (2.0 KB)');
    expect(s.out.join('')).toBe('landed a.json (tetragon): 1.0 KB, 3 records in 0.10 s\nlanded 2 files (2.0 KB)\n');
    expect(s.out.join('')).not.toContain('\r');
  });

  it('on a terminal: one live line with share, amounts, rate and ETA, redrawn at most every 100 ms, replaced by the step\'s line', () => {
    const s = sink(true);
    let t = 0;
    const p = stderrProgress(s, () => t);
    p.begin('landing 3 files', 3 * 1024 * 1024, 'bytes');
    expect(s.out.at(-1)).toBe('\r\x1b[2Klanding 3 files  0%  0 B of 3.0 MB');
    t = 50;
    p.tick(1024 * 1024, 'a.json');
    expect(s.out.length).toBe(1); // throttled
    t = 1000;
    p.tick(1024 * 1024, 'a.json');
    expect(s.out.at(-1)).toBe('\r\x1b[2Klanding 3 files  33%  1.0 MB of 3.0 MB  1.0 MB/s  ETA 0:02  a.json');
    p.note('landed a.json');
    expect(s.out.slice(-3)).toEqual(['\r\x1b[2K', 'landed a.json\n', '\r\x1b[2Klanding 3 files  33%  1.0 MB of 3.0 MB  1.0 MB/s  ETA 0:02  a.json']);
    p.end('landed 3 files (3.0 MB)');
    expect(s.out.slice(-2)).toEqual(['\r\x1b[2K', 'landed 3 files (3.0 MB)\n']);
  });

  it('cuts the live line to the terminal width', () => {
    const s = sink(true, 30);
    const p = stderrProgress(s, () => 0);
    p.begin('correlating attributions (4 of 6) with a very long label indeed');
    expect(s.out.at(-1)!.length).toBeLessThanOrEqual('\r\x1b[2K'.length + 29);
    expect(s.out.at(-1)!.endsWith('…')).toBe(true);
  });

  it('adapts a plain line logger: ends and notes only', () => {
    const lines: string[] = [];
    const p = toProgress((l) => lines.push(l));
    p.begin('x');
    p.tick(1);
    p.end('done x');
    p.note('remark');
    expect(lines).toEqual(['done x', 'remark']);
    expect(lineProgress((l) => lines.push(l)).end).toBeTypeOf('function');
  });

  it('words counts and sizes for people', () => {
    expect([count(0, 'row'), count(1, 'row'), count(2, 'row'), count(1, 'entry', 'entries'), count(3, 'entry', 'entries')]).toEqual(['0 rows', '1 row', '2 rows', '1 entry', '3 entries']);
    expect([formatBytes(812), formatBytes(2048), formatBytes(5 * 1024 * 1024 + 1)]).toEqual(['812 B', '2.0 KB', '5.0 MB']);
  });
});
