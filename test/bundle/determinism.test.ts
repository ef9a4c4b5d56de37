import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { tempDir } from '../helpers/case.js';
import { runDemo } from '../../src/pipeline/demo.js';
import { REPO, TEST_KEY, buildGoldenCase, expectSameTree } from './helpers.js';

/**
 * Byte-identical bundles across TZ, LANG/LC_ALL, working directory and wall clock, checked by
 * spawning the CLI in another environment. The CLI is compiled into a private folder first, so the
 * test never runs a stale or half-rebuilt dist/.
 */
let tmp: { dir: string; cleanup: () => void };
let cli: string;

beforeAll(() => {
  tmp = tempDir('podtrail-determinism-');
  const pkg = path.join(tmp.dir, 'pkg');
  mkdirSync(pkg);
  for (const f of ['package.json', 'sql', 'reports', 'queries', 'node_modules']) symlinkSync(path.join(REPO, f), path.join(pkg, f));
  const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(REPO, 'tsconfig.json'), '--outDir', path.join(pkg, 'dist')], { encoding: 'utf8' });
  expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
  cli = path.join(pkg, 'dist', 'cli', 'index.js');
}, 600_000);

afterAll(() => tmp?.cleanup());

function podtrail(args: string[], o: { cwd: string; env: Record<string, string> }): { status: number | null; stdout: string; stderr: string } {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(TZ|LANG|LC_.*|PODTRAIL_AS_OF)$/.test(k)) env[k] = v;
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: o.cwd, env: { ...env, ...o.env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('determinism', () => {
  it('bundling the same case again gives the same bytes, signature included, whatever TZ, locale, cwd or wall clock', async () => {
    const caseDir = path.join(tmp.dir, 'case');
    const first = await buildGoldenCase(caseDir);
    const cwd = path.join(tmp.dir, 'elsewhere', 'deeper');
    mkdirSync(cwd, { recursive: true });
    const r = podtrail(['bundle', path.relative(cwd, caseDir), '--out', '../second', '--key', TEST_KEY, '--operator', 'another-analyst'], {
      cwd,
      env: { TZ: 'Asia/Kolkata', LANG: 'fr_FR.UTF-8', LC_ALL: 'tr_TR.UTF-8' },
    });
    expect(r.status, r.stderr).toBe(0);
    expectSameTree(first.outDir, path.join(tmp.dir, 'elsewhere', 'second'));
  }, 600_000);

  it('the demo run twice gives the same bundle bytes whatever TZ, locale or working directory, and prints its summary', async () => {
    const a = await runDemo({ outDir: path.join(tmp.dir, 'demo-a') });
    expect(a.verified).toBe(true);
    const cwd = path.join(tmp.dir, 'x', 'y');
    mkdirSync(cwd, { recursive: true });
    const r = podtrail(['demo', '--out', '../demo-b'], { cwd, env: { TZ: 'America/St_Johns', LANG: 'ja_JP.UTF-8', LC_ALL: 'de_DE.UTF-8' } });
    expect(r.status, r.stderr).toBe(0);
    expectSameTree(a.bundle.outDir, path.join(tmp.dir, 'x', 'demo-b', 'bundle'));
    for (const line of [
      /^pod {7}payments\/billing-api-[a-z0-9]+-[a-z0-9]+ uid 56a3b86b-a8e4-4012-aa42-f504ad5d388c on /m,
      /^identity {2}service account payments\/billing-api -> irsa -> arn:aws:iam::\d+:role\/payments-billing-api$/m,
      /^entered {3}\S+ alice@example\.com exec \/bin\/sh \(audit row [0-9a-f]+-\d+\)$/m,
      /^sessions {2}ASIA[A-Z0-9]+: sts:AssumeRoleWithWebIdentity, /m,
      /iam:ListAttachedRolePolicies \(AccessDenied\)/,
      /^token {5}\S+ list secrets payments from 203\.0\.113\.77 \(off the pod/m,
      /^gaps {6}\d+ declared/m,
      /^bundle {4}\.\.\/demo-b\/bundle: \d+ files in SHA256SUMS, signed \(keyid [0-9a-f]{16}\.\.\.\); verify: 9 ok, 0 failed$/m,
      /^truth {5}pod, service account and human match truth\.json$/m,
    ]) expect(r.stdout).toMatch(line);
  }, 900_000);
});
