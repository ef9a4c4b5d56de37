import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createProgram, type Io } from '../../src/cli/program.js';
import { ExitCode } from '../../src/core/errors.js';
import { tempDir } from '../helpers/case.js';
import { GOLDEN, TEST_PUB, copyTree } from './helpers.js';

/** The commands as a user runs them, on the committed golden bundle (no pipeline needed). */
let tmp: { dir: string; cleanup: () => void };
const EXPECTED = path.join(GOLDEN, 'expected');

beforeAll(() => {
  tmp = tempDir('podtrail-bundle-cli-');
});
afterAll(() => tmp?.cleanup());

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false, columns: 120 };
  try {
    await createProgram(io).exitOverride().parseAsync(args, { from: 'user' });
    return { code: 0, out, err };
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode ?? 1;
    return { code, out, err: err + String((e as Error).message) };
  }
}

describe('podtrail verify', () => {
  it('prints one line per check and exits 0 on the golden bundle', async () => {
    const r = await run(['verify', EXPECTED, '--pubkey', TEST_PUB]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['ok    SHA256SUMS', 'ok    hashes', 'ok    missing', 'ok    added', 'ok    signature', 'ok    statement', 'ok    custody', 'ok    timeline', 'ok    signer', 'verified']);
  });

  it('without a pinned signer: integrity checked, "not authenticated", its own exit status unless --allow-unpinned', async () => {
    const r = await run(['verify', EXPECTED]);
    expect(r.code).toBe(ExitCode.unauthenticated);
    expect(r.out).toMatch(/^warn  signer: NOT authenticated: the signature verifies only with the key the bundle ships/m);
    expect(r.out).not.toMatch(/^verified/m);
    expect(r.err).toMatch(/is intact, but signed by a key it ships \(keyid [0-9a-f]{64}\) that nobody pinned: the signer is not authenticated/);
    const allowed = await run(['verify', EXPECTED, '--allow-unpinned']);
    expect(allowed.code).toBe(0);
    expect(allowed.out).toMatch(/^NOT verified: .* is intact, but signed by a key it ships .*\(accepted by --allow-unpinned\)$/m);
    // a trust file pins it as --pubkey does
    const trust = path.join(tmp.dir, 'trusted.pem');
    writeFileSync(trust, `# the team's signers\n${readFileSync(TEST_PUB, 'utf8')}`);
    expect((await run(['verify', EXPECTED, '--trust', trust])).code).toBe(0);
  });

  it('exits with the integrity code, naming the changed file', async () => {
    const dir = copyTree(EXPECTED, path.join(tmp.dir, 'tampered'));
    const f = path.join(dir, 'joins.jsonl');
    writeFileSync(f, readFileSync(f, 'utf8').replace('"proven"', '"strong"'));
    const r = await run(['verify', dir, '--pubkey', TEST_PUB]);
    expect(r.code).toBe(ExitCode.integrity);
    expect(r.out).toMatch(/^FAIL {2}hashes: joins\.jsonl: sha256 [0-9a-f]{64} differs/m);
    expect(r.out).toMatch(/^ok {4}signature:/m);
  });
});

describe('podtrail keygen', () => {
  it('writes a 0600 private key and a public key, and prints the keyid', async () => {
    const dir = path.join(tmp.dir, 'keys');
    mkdirSync(dir);
    const r = await run(['keygen', '--out', path.join(dir, 'analyst')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^keyid [0-9a-f]{64}$/m);
    expect(statSync(path.join(dir, 'analyst.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, 'analyst.pub.pem'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect((await run(['keygen', '--out', path.join(dir, 'analyst')])).code).toBe(ExitCode.usage);
  });
});

describe('podtrail bundle', () => {
  it('explains what to run first on a case that was never correlated', async () => {
    const r = await run(['bundle', path.join(tmp.dir, 'no-such-case')]);
    expect(r.code).not.toBe(0);
  });
});
