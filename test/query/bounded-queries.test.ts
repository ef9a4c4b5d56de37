import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { ingest, tempDir, tetragonCase } from '../helpers/case.js';
import { CLI, distIsFresh } from '../helpers/dist.js';
import { tetragonLines } from '../helpers/tetragon-lines.js';
import { createProgram, type Io } from '../../src/cli/program.js';
import { queryCase } from '../../src/query/query-case.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { createClock } from '../../src/core/clock.js';
import { casePaths } from '../../src/case/case-paths.js';
import { queryTempRoot } from '../../src/store/analyst-store.js';
import { rowFormatter, TABLE_SAMPLE_ROWS } from '../../src/output/format-rows.js';
import { runShell, PROMPT } from '../../src/shell/shell.js';

let caseDir: string;
let tempRoot: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const c = await tetragonCase(3);
  cleanups.push(c.cleanup);
  caseDir = c.caseDir;
  tempRoot = queryTempRoot(casePaths(caseDir));
});
afterAll(() => cleanups.forEach((f) => f()));

const spills = (): string[] => (existsSync(tempRoot) ? readdirSync(tempRoot) : []);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** A statement that runs until it is stopped (a trillion-row count). */
const ENDLESS = 'select count(*) as n from range(1000000000000) a';

async function run(args: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false, columns: 120 };
  await createProgram(io).exitOverride().parseAsync(args, { from: 'user' });
  return { out, err };
}

/** Runs the built CLI and counts what it prints without keeping it: lines, bytes, exit status. */
function countOutput(args: string[], nodeArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<{ lines: number; bytes: number; code: number | null; err: string; first: string; last: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let bytes = 0;
    let first = '';
    let tail = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      bytes += d.length;
      for (const b of d) if (b === 10) lines++;
      if (first.length < 400) first += d.toString('utf8', 0, Math.min(d.length, 400));
      tail = (tail + d.toString()).slice(-400);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ lines, bytes, code, err, first, last: tail.trimEnd().split('\n').pop() ?? '' }));
  });
}

/** Waits until the query has made its spill folder inside the case (it is running). */
async function spillAppears(before: string[]): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const now = spills().filter((d) => !before.includes(d));
    if (now.length > 0) return now[0]!;
    await sleep(50);
  }
  throw new Error('the query never made its spill folder');
}

describe('a table streams after sizing its columns from the first rows', () => {
  it('prints nothing until it has its sample, then the header, then each batch as it comes', () => {
    const f = rowFormatter(['id', 'note'], 'table', 40);
    const short = Array.from({ length: TABLE_SAMPLE_ROWS - 1 }, (_, i) => [i, 'ok']);
    expect(f.batch(short)).toBe('');
    const head = f.batch([[TABLE_SAMPLE_ROWS - 1, 'ok']]);
    expect(head.split('\n')[0]).toBe('| id  | note |');
    expect(head.split('\n')).toHaveLength(TABLE_SAMPLE_ROWS + 3);
    // a later, longer cell is cut to the width fixed by the sample on a terminal...
    expect(f.batch([[1000, 'a much longer note than any before']])).toBe('| 10… | a m… |\n');
    expect(f.end(TABLE_SAMPLE_ROWS + 1)).toBe(`(${TABLE_SAMPLE_ROWS + 1} rows)\n`);
    // ...and overflows it, uncut, on a pipe
    const piped = rowFormatter(['note'], 'table', Infinity);
    piped.batch(Array.from({ length: TABLE_SAMPLE_ROWS }, () => ['ok']));
    expect(piped.batch([['longer than ok']])).toBe('| longer than ok |\n');
  });

  it('a small result prints whole at the end, with its row count', () => {
    const f = rowFormatter(['n'], 'table', 80);
    expect(f.batch([[1], [2]])).toBe('');
    expect(f.end(2)).toBe('| n |\n|---|\n| 1 |\n| 2 |\n(2 rows)\n');
  });
});

describe.skipIf(!distIsFresh())('results stream in bounded memory (the built CLI, a 48 MB Node heap)', () => {
  // 300,000 rows of about 350 bytes: about 100 MB of text, twice the heap Node is given (the
  // buffering code this replaced died out of heap on it)
  const ROWS = 300_000;
  const WIDE = `select range as n, repeat('x', 300) as pad, range::VARCHAR || '-' || md5(range::VARCHAR) as id from range(${ROWS})`;
  for (const [format, lines] of [['ndjson', ROWS], ['csv', ROWS + 1], ['json', 1], ['table', ROWS + 3]] as const) {
    it(`--format ${format}: every row, never the whole result in memory`, async () => {
      const r = await countOutput(['query', caseDir, WIDE, '--format', format], ['--max-old-space-size=48']);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.lines).toBe(lines);
      expect(r.bytes).toBeGreaterThan(90_000_000);
      if (format === 'table') expect(r.last).toBe(`(${ROWS} rows)`);
      if (format === 'ndjson') expect(r.first.split('\n')[0]).toBe(`{"n":"0","pad":"${'x'.repeat(300)}","id":"0-cfcd208495d565ef66e7dff9f98764da"}`);
    });
  }

  it('--out FILE streams too, and leaves no partial file behind', async () => {
    const out = tempDir('podtrail-stream-out-');
    cleanups.push(out.cleanup);
    const file = path.join(out.dir, 'rows.ndjson');
    const r = await countOutput(['query', caseDir, WIDE, '--format', 'ndjson', '--out', file], ['--max-old-space-size=48']);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`wrote ${ROWS} rows to ${file}\n`);
    expect(readdirSync(out.dir)).toEqual(['rows.ndjson']);
  });
});

describe('DuckDB spills inside the case, within a stated size, and the spill folder goes with the query', () => {
  it('each query spills into its own folder under CASE/.tmp/query, removed when it ends', async () => {
    const before = spills();
    await queryCase(caseDir, 'select count(*) from runtime_events', {});
    expect(spills()).toEqual(before);
  });

  it.skipIf(!distIsFresh())('a query past PODTRAIL_QUERY_TEMP_LIMIT fails with the limit named, and cleans up', () => {
    const r = spawnSync(process.execPath, [CLI, 'query', caseDir, `select count(*) from (select range r, md5(range::VARCHAR) m from range(4000000) order by m)`], {
      encoding: 'utf8',
      env: { ...process.env, PODTRAIL_MEMORY_LIMIT: '64MB', PODTRAIL_QUERY_TEMP_LIMIT: '2MB' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/max_temp_directory_size/);
    expect(r.stderr).toMatch(/podtrail lets one analyst query spill 2MB inside the case: set PODTRAIL_QUERY_TEMP_LIMIT/);
    expect(spills()).toEqual([]);
  });

  it.skipIf(!distIsFresh())('Ctrl-C (SIGINT) stops the statement, removes its spill folder and ends by SIGINT', async () => {
    const child = spawn(process.execPath, [CLI, 'query', caseDir, ENDLESS], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const dir = await spillAppears([]);
    expect(existsSync(path.join(tempRoot, dir))).toBe(true);
    const t0 = Date.now();
    child.kill('SIGINT');
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_c, s) => resolve(s)));
    expect(signal).toBe('SIGINT');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err).toContain('interrupted');
    expect(spills()).toEqual([]);
  });

  it.skipIf(!distIsFresh())('after a kill -9 the next command removes the dead query\'s spill folder', async () => {
    const child = spawn(process.execPath, [CLI, 'query', caseDir, ENDLESS], { stdio: 'ignore' });
    const dir = await spillAppears([]);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    expect(spills()).toEqual([dir]);
    await queryCase(caseDir, 'select 1', {});
    expect(spills()).toEqual([]);
  });
});

describe('--timeout stops a statement through DuckDB\'s interrupt', () => {
  it('stops a runaway query after the time given, says so, and cleans up', async () => {
    const t0 = Date.now();
    await expect(run(['query', caseDir, ENDLESS, '--timeout', '1s'])).rejects.toThrow(/stopped after 1s: the statement ran longer than --timeout/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(spills()).toEqual([]);
    await expect(run(['hunt', caseDir, 'rejects-by-file', '--timeout', 'soon'])).rejects.toThrow(/--timeout: "soon" is not a duration/);
  });

  it('0 means no limit; a quick query is untouched by the default', async () => {
    expect((await run(['query', caseDir, 'select 1 as one', '--timeout', '0'])).out).toBe('{"one":1}\n');
    expect((await run(['hunt', caseDir, 'rejects-by-file'])).out).toBe('');
  });
});

describe('podtrail query -f - reads the SQL from standard input', () => {
  it.skipIf(!distIsFresh())('runs it, and names stdin in errors', () => {
    const ok = spawnSync(process.execPath, [CLI, 'query', caseDir, '-f', '-'], { input: 'select count(*) as n\n  from runtime_events;\n', encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('{"n":"3"}\n');
    const bad = spawnSync(process.execPath, [CLI, 'query', caseDir, '-f', '-'], { input: 'select pid\n  from runtime_events\n where\n', encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^podtrail: stdin: Parser Error/);
  });
});

describe('the shell cancels a running statement on Ctrl-C', () => {
  it('interrupts it, says "cancelled", and takes the next statement', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let out = '';
    output.on('data', (d: Buffer) => (out += d.toString()));
    const done = runShell(caseDir, { input, output, error: output, terminal: true, columns: 100, historyFile: null });
    for (let i = 0; i < 200 && !out.includes(PROMPT); i++) await sleep(50);
    input.write(`${ENDLESS};\r`);
    await spillAppears([]);
    await sleep(300);
    const t0 = Date.now();
    input.write('\x03');
    for (let i = 0; i < 200 && !out.includes('cancelled'); i++) await sleep(50);
    expect(Date.now() - t0).toBeLessThan(10_000);
    input.write('select 5 as five;\r');
    await sleep(500);
    input.write('\x04');
    expect(await done).toBe(0);
    expect(out).toContain('cancelled');
    expect(out).toContain('| five |');
    expect(spills()).toEqual([]);
  });
});

describe('query and hunt say when correlation is older than the evidence', () => {
  it('notes it on stderr after more evidence is acquired, and not before', async () => {
    const c = await tetragonCase(2);
    cleanups.push(c.cleanup);
    await correlateCase(c.caseDir, () => {}, createClock('2026-11-29T00:00:00Z'), 'tester');
    expect((await run(['query', c.caseDir, 'select count(*) as n from attributions'])).err).toBe('');
    const more = path.join(c.caseDir, 'more');
    mkdirSync(more);
    writeFileSync(path.join(more, 'y.json'), tetragonLines(2, { pod: 'api-1' }).join('\n'));
    await ingest(c.caseDir, [more]);
    const q = await run(['query', c.caseDir, 'select count(*) as n from attributions']);
    expect(q.out).toBe('{"n":"0"}\n');
    expect(q.err).toMatch(/^note: the correlation tables are older than the evidence \(evidence was acquired since\): they do not cover it \(run podtrail correlate .*\)\n$/);
    expect((await run(['hunt', c.caseDir, 'rejects-by-file'])).err).toContain('older than the evidence');
  });
});
