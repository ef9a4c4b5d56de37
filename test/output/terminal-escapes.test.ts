import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { makeCase, tetragonCase } from '../helpers/case.js';
import { CLI, distIsFresh } from '../helpers/dist.js';
import { tetragonLines } from '../helpers/tetragon-lines.js';
import { createProgram, type Io } from '../../src/cli/program.js';
import { runShell } from '../../src/shell/shell.js';
import { formatCheck } from '../../src/bundle/verify-bundle.js';

/**
 * Attacker-controlled text never reaches a terminal raw: evidence values, column names, file names
 * and DuckDB messages that quote them, in every printer. Each payload is tried in each; a printer
 * holds when its output has no control, escape or bidi character but the line breaks it writes
 * itself, and the payload forged no line.
 */
const PAYLOADS: Record<string, string> = {
  'clear screen (CSI)': '\u001b[2J\u001b[H',
  'recolour (SGR)': '\u001b[31mRED\u001b[0m',
  'window title (OSC, BEL)': '\u001b]0;pwned\u0007',
  'hyperlink (OSC 8)': '\u001b]8;;http://evil.test\u001b\\click\u001b]8;;\u001b\\',
  'C1 CSI': '\u009b2J',
  'C1 OSC': '\u009d0;t\u009c',
  'carriage return overwrite': 'ok\rFAKE',
  'backspaces': 'abc\b\b\bxyz',
  'line break forging a line': 'x\ningested  /evidence/clean.json (tetragon): 1 records: 1 landed',
  'vertical tab and form feed': 'a\u000bb\u000cc',
  'NUL and DEL': 'a\u0000b\u007f',
  'right-to-left override (Trojan Source)': 'txt.\u202eexe',
  'bidi isolates': '\u2066admin\u2069\u2067x\u2069',
  'zero-width and BOM': 'ad\u200bmin\ufeff',
  'line and paragraph separators': 'a\u2028b\u2029c',
  'Arabic letter mark': 'a\u061cb',
};
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

let caseDir: string;
const cleanups: (() => void)[] = [];
const results: { printer: string; payload: string; held: boolean }[] = [];

beforeAll(async () => {
  const c = await tetragonCase(2);
  cleanups.push(c.cleanup);
  caseDir = c.caseDir;
});
afterAll(() => {
  cleanups.forEach((f) => f());
  const held = results.filter((r) => r.held).length;
  console.log(`terminal escapes tried ${results.length}, held ${held}`);
});

function record(printer: string, payload: string, text: string, expectedLines?: number): void {
  const held = !RAW.test(text) && (expectedLines === undefined || text.split('\n').length === expectedLines);
  results.push({ printer, payload, held });
  expect(held, `${printer} with ${payload}: ${JSON.stringify(text.slice(0, 300))}`).toBe(true);
}

async function run(args: string[]): Promise<string> {
  let out = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (out += t), isTty: false, columns: 120 };
  await createProgram(io).exitOverride().parseAsync(args, { from: 'user' });
  return out;
}

describe('query results in every format show control, escape and bidi characters as text', () => {
  const names = Object.keys(PAYLOADS);
  const params = Object.values(PAYLOADS).flatMap((p, i) => ['--param', `p${i}=${p}`]);
  const everyPayload = `select * from (values ${names.map((_, i) => `(${i}, $p${i})`).join(', ')}) v(n, value) order by n`;
  for (const format of ['table', 'line', 'csv', 'json', 'ndjson']) {
    it(`--format ${format}`, async () => {
      const out = await run(['query', caseDir, everyPayload, ...params, '--format', format]);
      // csv keeps a value's line breaks inside quotes; every other printer writes one line per row
      for (const name of names) record(`query --format ${format}`, name, format === 'csv' ? out.replace(/"[^"]*"/g, '""') : out);
    });
  }

  it('JSON escapes them, so a reader gets the exact value back', async () => {
    for (const p of Object.values(PAYLOADS)) {
      const out = await run(['query', caseDir, 'select $v as value', '--param', `v=${p}`, '--format', 'ndjson']);
      expect((JSON.parse(out) as { value: string }).value).toBe(p);
    }
  });

  it('column names from the SQL, and the shell, print the same way', async () => {
    for (const [name, p] of Object.entries(PAYLOADS)) {
      const alias = p.replace(/"/g, '""').replace(/\u0000/g, '');
      record('table header', name, await run(['query', caseDir, `select 1 as "${alias}"`, '--format', 'table']), 5);
      const input = new PassThrough();
      const output = new PassThrough();
      let out = '';
      output.on('data', (d: Buffer) => (out += d.toString()));
      input.end(`.param v=${JSON.stringify(p.replace(/\u0000/g, ''))}\n.param\n.mode line\nselect $v as v;\nselect $v::INT;\n.schema ${JSON.stringify(p.replace(/\u0000|\n/g, ''))}\n`);
      await runShell(caseDir, { input, output, error: output, terminal: false, columns: 100, historyFile: null });
      record('shell (results, .param, errors)', name, out);
    }
  });

  it('verify lines name files as text', () => {
    for (const [name, p] of Object.entries(PAYLOADS)) record('verify line', name, formatCheck({ check: 'added', status: 'FAIL', message: `${p} is not listed in SHA256SUMS (file added)` }) + '\n', 2);
  });
});

describe.skipIf(!distIsFresh())('the built CLI: DuckDB messages on stderr and file names in the ingest summary', () => {
  it('an error quoting an evidence value prints it as text', () => {
    for (const [name, p] of Object.entries(PAYLOADS)) {
      if (p.includes('\u0000')) continue; // an argument cannot hold NUL
      const r = spawnSync(process.execPath, [CLI, 'query', caseDir, 'select $v::INTEGER', '--param', `v=${p}`], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/Conversion Error/);
      record('stderr (DuckDB message)', name, r.stderr);
    }
  });

  it('a crafted file name cannot forge or hide a summary line', () => {
    const c = makeCase();
    cleanups.push(c.cleanup);
    const dir = path.join(c.caseDir, 'inputs');
    mkdirSync(dir);
    const names = Object.entries(PAYLOADS).filter(([, p]) => !p.includes('\u0000') && !p.includes('/') && !p.includes('\\'));
    names.forEach(([, p], i) => writeFileSync(path.join(dir, `e${i}-${p}.json`), tetragonLines(1)[0]! + '\n'));
    const r = spawnSync(process.execPath, [CLI, 'ingest', c.caseDir, dir, '--as-of', '2026-11-29T00:00:00Z'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(names.length);
    expect(lines.every((l) => /^(ingested|already|refused) {2}/.test(l))).toBe(true);
    for (const [name] of names) record('ingest summary', name, r.stdout, names.length + 1);
  });
});
