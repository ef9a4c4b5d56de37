import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runCli, type Io } from '../../src/cli/program.js';
import { ExitCode } from '../../src/core/errors.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { checkCase } from '../../src/check/check-case.js';
import { AS_OF, tempDir } from '../helpers/case.js';
import { CLI, REPO, distIsFresh } from '../helpers/dist.js';
import { GOLDEN } from '../bundle/helpers.js';

/** Command-line conventions: usage errors exit 2, a case is not a bundle, counts agree with their nouns. */
const tmp = tempDir('podtrail-conventions-');
afterAll(() => tmp.cleanup());

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false, columns: 120 };
  const code = await runCli(args, io);
  return { code, out, err };
}

describe('usage errors exit 2, with the message and the help', () => {
  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['verify', '--frob', 'x'], /unknown option '--frob'/],
    [['verify'], /missing required argument 'dir'/],
    [['init', path.join('x', 'case')], /required option '--from <iso>' not specified/],
    [['ingest', 'case', 'x', '--source', 'syslog'], /argument 'syslog' is invalid/],
    [['generate', '--scenario', 'churn', '--scale', 'abc', '--out', 'x'], /--scale: "abc" is not a number/],
    [['query', 'case', 'select 1', '--limit', 'many'], /--limit/],
  ])('%j', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('help and version are not errors', async () => {
    expect((await run(['--help'])).code).toBe(0);
    expect((await run(['verify', '--help'])).code).toBe(0);
    const v = await run(['--version']);
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it.skipIf(!distIsFresh())('the installed binary exits 2 on an unknown option', () => {
    const r = spawnSync(process.execPath, [CLI, 'bundle', '--frob'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--frob'/);
  });
});

describe('podtrail verify on a case folder', () => {
  let caseDir: string;
  beforeAll(() => {
    caseDir = path.join(tmp.dir, 'case');
    mkdirSync(path.join(caseDir, 'lake'), { recursive: true });
    mkdirSync(path.join(caseDir, 'raw'));
    writeFileSync(path.join(caseDir, 'case.yaml'), readFileSync(path.join(GOLDEN, 'input', 'case.yaml')));
  });

  it('says it is a case with no bundle yet, and how to write one (exit 2)', async () => {
    const r = await run(['verify', caseDir]);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toBe(`podtrail: ${caseDir} is a case folder, not a bundle, and has no bundle yet: podtrail bundle ${caseDir} (or podtrail run ${caseDir}) writes one\n`);
  });

  it('says where its bundle is (exit 2)', async () => {
    cpSync(path.join(GOLDEN, 'expected'), path.join(caseDir, 'bundle'), { recursive: true });
    const r = await run(['verify', caseDir]);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toContain(`its bundle is ${path.join(caseDir, 'bundle')}: podtrail verify ${path.join(caseDir, 'bundle')}`);
    // the bundle itself holds a case.yaml too: it is verified, not mistaken for a case
    expect((await run(['verify', path.join(caseDir, 'bundle'), '--allow-unpinned'])).code).toBe(0);
  });
});

describe('counts and reject locations', () => {
  it('a rejected whole document is counted in the singular and has no empty location ("at ")', async () => {
    const c = await run(['init', path.join(tmp.dir, 'rejects'), '--from', '2026-10-20T08:00:00Z', '--to', '2026-10-20T11:00:00Z']);
    expect(c.code).toBe(0);
    const caseDir = path.join(tmp.dir, 'rejects');
    const input = path.join(tmp.dir, 'in', 'nodes-2026-10-20T09-50-00Z.json');
    mkdirSync(path.dirname(input), { recursive: true });
    // a pretty-printed kubectl List cut short: one document, no line of its own, no record path
    writeFileSync(input, readFileSync(path.join(REPO, 'fixtures', 'inventory', 'nodes-2026-10-20T09-50-00Z.json'), 'utf8').slice(0, 3000));
    const r = await run(['ingest', caseDir, input, '--as-of', AS_OF]);
    expect(r.out).toMatch(/: 1 record: 0 landed, 1 rejected \(invalid_json 1\), 0 duplicates, /);
    expect(r.err).toMatch(/^1 file: 1 ingested, .*; 0 records landed/m);
    await correlateCase(caseDir);
    const v = await checkCase(caseDir) as { checks: { id: string; findings: { kind: string; message: string }[] }[] };
    const rejected = v.checks.find((x) => x.id === 'rejects')!.findings.find((f) => f.kind === 'rejected-records')!;
    expect(rejected.message).toMatch(/^1 record of .* rejected \(invalid_json\)$/);
    const check = await run(['check', caseDir, '--as-of', AS_OF]);
    expect(check.out).toMatch(/^gap {5}rejects: 1 gap, 1 finding$/m);
    expect(check.out).not.toMatch(/\b1 (gaps|findings)\b/);
  });
});
