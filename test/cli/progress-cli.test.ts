import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createProgram, type Io } from '../../src/cli/program.js';
import { generateScenario } from '../../src/generate/generate.js';
import { ingestCase } from '../../src/ingest/ingest-case.js';
import { createClock } from '../../src/core/clock.js';
import { AS_OF, tempDir } from '../helpers/case.js';
import { CORRELATION_TABLE_NAMES } from '../../src/correlate/correlate-case.js';

/** Progress goes to stderr only: live on a terminal, one line per finished step elsewhere; DuckDB's own words never. */
const tmp = tempDir('podtrail-progress-');
afterAll(() => tmp.cleanup());

async function run(args: string[], errIsTty: boolean): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false, columns: 120, errIsTty, errColumns: 100 };
  await createProgram(io).exitOverride().parseAsync(args, { from: 'user' });
  return { out, err };
}

describe('progress of long commands', () => {
  it('generate: nothing on stdout; the summary and the next command on stderr', async () => {
    const dir = path.join(tmp.dir, 'gen');
    const r = await run(['generate', '--scenario', 'churn', '--scale', '0.05', '--out', dir], false);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^generated churn \(seed 1, scale 0\.05\) in .*: \d+ files, /m);
    expect(r.err).toContain(`next: podtrail ingest ${dir} ${path.join(dir, 'inputs')}\n`);
    expect(r.err).not.toContain('\r');
  });

  it('ingest: results on stdout, one line per landed file on stderr, a live line on a terminal', async () => {
    const dir = path.join(tmp.dir, 'case');
    generateScenario({ scenario: 'imds-node-role', seed: 1, scale: 0.05, outDir: dir });
    const r = await run(['ingest', dir, path.join(dir, 'inputs'), '--as-of', AS_OF], true);
    for (const line of r.out.trim().split('\n')) expect(line).toMatch(/^(ingested|refused|already) /);
    expect(r.err).toMatch(/landed inputs\/tetragon\/\S+ \(tetragon\): [\d.]+ [KM]?B, \d+ records in [\d.]+ s/);
    expect(r.err).toContain('\r\x1b[2Klanding ');
    expect(r.err).toMatch(/ETA \d+:\d\d/);
    const c = await run(['correlate', dir, '--as-of', AS_OF], false);
    expect(c.err.trim().split('\n')).toEqual([
      expect.stringMatching(/^cloudtrail_validation: \d+ verdicts \(CloudTrail digests: /),
      // one line per public table, in the order correlate makes them
      ...CORRELATION_TABLE_NAMES.map((n) => expect.stringMatching(new RegExp(`^${n}: \\d+ rows? in [\\d.]+ s$`))),
    ]);
  });

  it('never shows DuckDB\'s own messages (why a fast path was abandoned) as progress', async () => {
    const dir = path.join(tmp.dir, 'mixed');
    generateScenario({ scenario: 'mixed', seed: 1, scale: 0.05, outDir: dir });
    const lines: string[] = [];
    const r = await ingestCase({ caseDir: dir, paths: [path.join(dir, 'inputs')], source: null, operator: 'tester', snapshotAt: null, clock: createClock(AS_OF), log: (l) => lines.push(l) });
    const notes = r.files.map((f) => f.landing?.note).filter((n): n is string => Boolean(n));
    expect(notes.length).toBeGreaterThan(0); // malformed lines make DuckDB abandon the fast path
    for (const n of notes) expect(lines.join('\n')).not.toContain(n);
    expect(lines.join('\n')).not.toMatch(/fast path|Error:|line by line/);
  });
});
