import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, chmodSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { gunzipSync, gzipSync } from 'node:zlib';
import path from 'node:path';
import { tempDir } from '../helpers/case.js';
import { bundleCase, signerFromPair, type BundleResult } from '../../src/bundle/bundle-case.js';
import { verifyBundle } from '../../src/bundle/verify-bundle.js';
import { reproduceBundle } from '../../src/pipeline/reproduce.js';
import { writeKeyPair, loadPrivateKey } from '../../src/bundle/keys.js';
import { pae, decodeBase64 } from '../../src/bundle/dsse.js';
import { createClock } from '../../src/core/clock.js';
import { IntegrityError } from '../../src/core/errors.js';
import { readCustody, verifyChain } from '../../src/custody/custody-log.js';
import {
  ACQUIRED_AT, ANALYZED_AT, GOLDEN, OPERATOR, TEST_KEY, TEST_PUB,
  buildGoldenCase, copyTree, expectInertHtml, expectSameTree, filesOf, hasTool, isDir,
} from './helpers.js';

let tmp: { dir: string; cleanup: () => void };
let caseA: string;
let a: BundleResult;
let n = 0;
const scratch = (name: string): string => path.join(tmp.dir, `${name}-${++n}`);

beforeAll(async () => {
  tmp = tempDir('podtrail-bundle-');
  caseA = path.join(tmp.dir, 'case-a');
  a = await buildGoldenCase(caseA);
}, 600_000);

afterAll(() => tmp?.cleanup());

async function failures(dir: string, pubkeyFile?: string): Promise<string> {
  const r = await verifyBundle(dir, { pubkeyFile: pubkeyFile ?? null });
  expect(r.ok, `verify ${dir} should fail`).toBe(false);
  return r.checks.filter((c) => c.status === 'FAIL').map((c) => `${c.check}: ${c.message}`).join('\n');
}

describe('golden bundle (bundle-small, TEST-ONLY key)', () => {
  it('matches test/golden/bundle-small/expected byte for byte', () => {
    const expected = path.join(GOLDEN, 'expected');
    const actual = path.join(GOLDEN, 'actual');
    rmSync(actual, { recursive: true, force: true });
    copyTree(a.outDir, actual);
    const update = process.env['UPDATE_GOLDEN'] === '1' && !process.env['CI'];
    if (update || (!isDir(expected) && !process.env['CI'])) {
      rmSync(expected, { recursive: true, force: true });
      copyTree(a.outDir, expected);
    }
    expect(isDir(expected), 'test/golden/bundle-small/expected is missing (UPDATE_GOLDEN=1 writes it, never in CI)').toBe(true);
    expectSameTree(expected, a.outDir, `\nThe golden bundle pins every byte, including the custody log's sha256 of every sql/ rule file
applied: after a reviewed change to sql/ or to the bundle, refresh it from a clean checkout with
  UPDATE_GOLDEN=1 npx vitest run test/bundle/bundle-e2e.test.ts
and review the diff of test/golden/bundle-small/expected (src/bundle/CONTEXT.md).`);
  });

  it('has every file of the bundle format, signed', () => {
    expect(filesOf(a.outDir)).toEqual([
      'SHA256SUMS', 'attestation.dsse.json', 'case.yaml', 'custody.jsonl', 'evidence.pub.pem',
      'inventory/bindings.jsonl', 'inventory/clock_offsets.jsonl', 'inventory/credential_sessions.jsonl', 'inventory/nodes.jsonl',
      'inventory/pods.jsonl', 'inventory/service_accounts.jsonl', 'joins.jsonl', 'manifest.json', 'report.html', 'report.md',
      'timeline.jsonl', 'validation.json',
    ]);
    const v = JSON.parse(readFileSync(path.join(a.outDir, 'validation.json'), 'utf8')) as { signature: { status: string; keyid: string }; schema: string };
    expect(v.schema).toBe('podtrail.validation/v1');
    expect(v.signature).toMatchObject({ status: 'signed', keyid: a.keyid });
    const joins = readFileSync(path.join(a.outDir, 'joins.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(joins.every((j) => typeof j['rule_id'] === 'string' && typeof j['evidence'] === 'object' && (j['table'] === 'attributions' || j['table'] === 'kube_attributions'))).toBe(true);
    const manifest = JSON.parse(readFileSync(path.join(a.outDir, 'manifest.json'), 'utf8')) as { inputs: Record<string, unknown>[] };
    expect(manifest.inputs.length).toBe(9);
    for (const i of manifest.inputs) expect(i).toMatchObject({ operator: OPERATOR, acquired_at: '2026-10-20T12:00:00.000000Z', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('answers which pod made each call, each claim with evidence ids', () => {
    const md = readFileSync(path.join(a.outDir, 'report.md'), 'utf8');
    for (const claim of [
      '**1. `credential`**: pod `payments/billing-api-h7svdfqwgp-gthlx`', // the answer names the pod first
      '`UID 56a3b86b-a8e4-4012-aa42-f504ad5d388c`', // pod UID
      '`image sha256:4d0d588a000d08c3cdfa1e1d60bd6901537c78a0eab96fd27800a561d8cb12d5`', // image digest
      '`service account payments/billing-api, reaching the cloud by irsa as arn:aws:iam::418273659024:role/payments-billing-api', // binding path
      '`entered by a person: alice@example.com exec /bin/sh from 198.51.100.24`',
      '| `secretsmanager:GetSecretValue` | `prod/billing/db-master` | `ok` |',
      '| `iam:ListAttachedRolePolicies` | `payments-billing-api` | `AccessDenied` |',
      '| `list secrets payments` | `203.0.113.77` | yes | `off-pod` |',
      '**2. `credential`**: outside address `203.0.113.77`', // the address that used the stolen tokens
      '## Attack paths',
      '## Gaps',
      '### Timeline of the span',
    ]) expect(md).toContain(claim);
    // every call line cites its event and evidence rows
    const callRows = md.split('\n').filter((l) => /^\| `2026-10-20T09:1\d:\d\dZ` \| `(sts|secretsmanager|iam|s3|kms):/.test(l));
    expect(callRows.length).toBeGreaterThan(5);
    for (const r of callRows) expect(r).toMatch(/`[0-9a-f-]{36}` \| `cloud`: /);
    expectInertHtml(readFileSync(path.join(a.outDir, 'report.html'), 'utf8'));
  });
});

describe('verify', () => {
  it('passes on the bundle; the signer is authenticated only with --pubkey, never by the key it ships', async () => {
    const r = await verifyBundle(a.outDir);
    expect(r.checks.map((c) => `${c.status} ${c.check}`)).toEqual(['ok SHA256SUMS', 'ok hashes', 'ok missing', 'ok added', 'ok signature', 'ok statement', 'ok custody', 'ok timeline', 'warn signer']);
    expect(r).toMatchObject({ ok: true, trust: 'unpinned', signer: a.keyid });
    const pinned = await verifyBundle(a.outDir, { pubkeyFile: TEST_PUB });
    expect(pinned).toMatchObject({ ok: true, trust: 'pinned', signer: a.keyid });
    expect(pinned.checks.at(-1)).toMatchObject({ check: 'signer', status: 'ok' });
  });

  it('is checked by tools that are not ours: sha256sum -c and openssl pkeyutl over the rebuilt PAE', () => {
    const sums = spawnSync('sha256sum', ['-c', '--strict', 'SHA256SUMS'], { cwd: a.outDir, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    expect(sums.status, sums.stdout + sums.stderr).toBe(0);
    expect(sums.stdout.trim().split('\n')).toHaveLength(14);
    if (!hasTool('openssl', ['version'])) return;
    const env = JSON.parse(readFileSync(path.join(a.outDir, 'attestation.dsse.json'), 'utf8')) as { payload: string; payloadType: string; signatures: { sig: string }[] };
    const work = scratch('openssl');
    mkdirSync(work);
    writeFileSync(path.join(work, 'pae.bin'), pae(env.payloadType, decodeBase64(env.payload)!));
    writeFileSync(path.join(work, 'sig.bin'), decodeBase64(env.signatures[0]!.sig)!);
    const o = spawnSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', path.join(a.outDir, 'evidence.pub.pem'), '-rawin', '-in', 'pae.bin', '-sigfile', 'sig.bin'], { cwd: work, encoding: 'utf8' });
    expect(o.status, o.stdout + o.stderr).toBe(0);
    expect(o.stdout).toMatch(/Signature Verified Successfully/);
    // and the statement's subjects are exactly SHA256SUMS
    const st = JSON.parse(decodeBase64(env.payload)!.toString('utf8')) as { subject: { name: string; digest: { sha256: string } }[] };
    expect(st.subject.map((s) => `${s.digest.sha256}  ${s.name}\n`).join('')).toBe(readFileSync(path.join(a.outDir, 'SHA256SUMS'), 'utf8'));
  });

  it('catches a flipped byte in any file, naming it', async () => {
    for (const f of filesOf(a.outDir)) {
      const dir = copyTree(a.outDir, scratch('flip'));
      const file = path.join(dir, ...f.split('/'));
      const bytes = readFileSync(file);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at]! ^ 0x01;
      writeFileSync(file, bytes);
      expect(await failures(dir), `flipped byte in ${f}`).toContain(f);
    }
  });

  it('catches a removed file, an added file and a removed signature', async () => {
    let dir = copyTree(a.outDir, scratch('rm'));
    unlinkSync(path.join(dir, 'report.html'));
    expect(await failures(dir)).toMatch(/missing: report\.html is listed in SHA256SUMS but missing/);
    dir = copyTree(a.outDir, scratch('add'));
    writeFileSync(path.join(dir, 'inventory', 'extra.jsonl'), '{}\n');
    expect(await failures(dir)).toMatch(/added: inventory\/extra\.jsonl is not listed in SHA256SUMS/);
    dir = copyTree(a.outDir, scratch('unsign'));
    unlinkSync(path.join(dir, 'attestation.dsse.json'));
    expect(await failures(dir)).toMatch(/attestation\.dsse\.json is missing, but validation\.json says the bundle was signed/);
  });

  it('catches a wrong key', async () => {
    const keys = scratch('keys');
    mkdirSync(keys);
    const other = writeKeyPair(path.join(keys, 'other'));
    expect(await failures(a.outDir, other.pubFile)).toMatch(/signature: attestation\.dsse\.json: signature does not verify with this key.* \(no pinned key verifies it: keyid [0-9a-f]{64} from --pubkey .*other\.pub\.pem; it ships evidence\.pub\.pem with keyid [0-9a-f]{64}, which is not pinned\)/);
    const swapped = copyTree(a.outDir, scratch('swap'));
    writeFileSync(path.join(swapped, 'evidence.pub.pem'), readFileSync(other.pubFile));
    expect(await failures(swapped)).toMatch(/signature: attestation\.dsse\.json: signature does not verify with this key/);
    expect(await failures(swapped, other.pubFile)).toMatch(/signature does not verify .*no pinned key verifies it: keyid [0-9a-f]{64} from --pubkey .*other\.pub\.pem/);
  });

  it('catches an edited custody entry and a reordered timeline, naming them', async () => {
    let dir = copyTree(a.outDir, scratch('custody'));
    const c = path.join(dir, 'custody.jsonl');
    const lines = readFileSync(c, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('"actor":"golden"', '"actor":"mallory"');
    writeFileSync(c, lines.join('\n'));
    const cf = await failures(dir);
    expect(cf).toMatch(/hashes: custody\.jsonl: sha256/);
    expect(cf).toMatch(/custody: custody\.jsonl: custody entry 4: prev hash does not match entry 3/);

    dir = copyTree(a.outDir, scratch('reorder'));
    const t = path.join(dir, 'timeline.jsonl');
    const tl = readFileSync(t, 'utf8').split('\n');
    [tl[10], tl[11]] = [tl[11]!, tl[10]!];
    writeFileSync(t, tl.join('\n'));
    const tf = await failures(dir);
    expect(tf).toMatch(/hashes: timeline\.jsonl: sha256/);
    expect(tf).toMatch(/timeline: timeline\.jsonl line 12 .* is out of order after line 11 .*timeline reordered/);
  });
});

describe('bundle', () => {
  it('gives the same bytes when run again, whatever the wall clock; export entries stay out of the bundle', async () => {
    const before = readCustody(path.join(caseA, 'custody.jsonl')).entries;
    const again = await bundleCase({ caseDir: caseA, outDir: scratch('again'), signer: signerFromPair(loadPrivateKey(TEST_KEY)), clock: createClock(undefined, {}), operator: 'someone-else' });
    expectSameTree(a.outDir, again.outDir);
    const after = readCustody(path.join(caseA, 'custody.jsonl'));
    expect(verifyChain(after.lines)).toEqual([]);
    expect(after.entries.length).toBe(before.length + 1);
    expect(after.entries.at(-1)!.action).toBe('exported');
    expect(readFileSync(path.join(a.outDir, 'custody.jsonl'), 'utf8')).not.toContain('"exported"');
  });

  it('without a key: no signature files, validation.json says "unsigned", verify skips the signature', async () => {
    const u = await bundleCase({ caseDir: caseA, outDir: scratch('unsigned'), signer: null, clock: createClock(ANALYZED_AT), operator: OPERATOR });
    expect(filesOf(u.outDir)).not.toContain('attestation.dsse.json');
    expect(filesOf(u.outDir)).not.toContain('evidence.pub.pem');
    expect(JSON.parse(readFileSync(path.join(u.outDir, 'validation.json'), 'utf8')).signature).toEqual({ status: 'unsigned' });
    const r = await verifyBundle(u.outDir);
    expect(r).toMatchObject({ ok: true, trust: 'unsigned', signer: null });
    expect(r.checks.find((c) => c.check === 'signature')).toMatchObject({ status: 'skip', message: expect.stringContaining('unsigned') });
    expect(r.checks.at(-1)).toMatchObject({ check: 'signer', status: 'warn', message: expect.stringContaining('NOT authenticated: the bundle is unsigned') });
    expect(await failures(u.outDir, TEST_PUB)).toMatch(/attestation\.dsse\.json is missing: the bundle is not signed, and a signer was pinned/);
    // a signature added to an unsigned bundle is refused, even one that verifies with its own key
    const added = copyTree(u.outDir, scratch('signature-added'));
    writeFileSync(path.join(added, 'attestation.dsse.json'), readFileSync(path.join(a.outDir, 'attestation.dsse.json')));
    writeFileSync(path.join(added, 'evidence.pub.pem'), readFileSync(path.join(a.outDir, 'evidence.pub.pem')));
    expect(await failures(added)).toMatch(/signature: attestation\.dsse\.json is present, but validation\.json says the bundle is unsigned/);
  });

  it('refuses a non-empty output folder without --force, and an output inside raw/', async () => {
    await expect(bundleCase({ caseDir: caseA, outDir: a.outDir, clock: createClock(ANALYZED_AT) })).rejects.toThrow(/not empty/);
    await expect(bundleCase({ caseDir: caseA, outDir: path.join(caseA, 'raw', 'b'), clock: createClock(ANALYZED_AT) })).rejects.toThrow(/inside the case's raw/);
  });

  it('re-hashes raw/ first and refuses a changed or unlisted file, naming it', async () => {
    const c = copyTree(caseA, scratch('case-tampered'));
    const raw = readdirSync(path.join(c, 'raw')).sort();
    const victim = path.join(c, 'raw', raw[0]!);
    chmodSync(victim, 0o644);
    appendFileSync(victim, ' ');
    const e1 = await bundleCase({ caseDir: c, outDir: scratch('never'), clock: createClock(ANALYZED_AT) }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(IntegrityError);
    expect(String((e1 as Error).message)).toContain(`raw/${raw[0]}: sha256`);
    const c2 = copyTree(caseA, scratch('case-extra'));
    writeFileSync(path.join(c2, 'raw', 'planted.json'), '{}');
    await expect(bundleCase({ caseDir: c2, outDir: scratch('never'), clock: createClock(ANALYZED_AT) })).rejects.toThrow(/raw\/planted\.json: in raw\/ but not in evidence_files/);
  });

  it('gives the same bytes whatever the order the input files are listed in', async () => {
    const b = await buildGoldenCase(scratch('case-b'), { order: (files) => [...files].reverse() });
    expectSameTree(a.outDir, b.outDir);
  }, 600_000);
});

describe('reproduce', () => {
  it('rebuilds the bundle byte for byte from the raw evidence, found by hash under any names', async () => {
    const inputs = scratch('reviewer-inputs');
    mkdirSync(inputs);
    for (const [i, f] of filesOf(path.join(GOLDEN, 'input', 'inputs')).entries()) {
      writeFileSync(path.join(inputs, `evidence-${String(i).padStart(2, '0')}.bin`), readFileSync(path.join(GOLDEN, 'input', 'inputs', f)));
    }
    writeFileSync(path.join(inputs, 'unrelated.txt'), 'not evidence');
    const r = await reproduceBundle({ bundleDir: a.outDir, inputsDir: inputs, outDir: scratch('repro'), pubkeyFile: TEST_PUB });
    expect(r.difference).toBeNull();
    expect(r.identical).toBe(true);
    expect(r.attestation).toMatch(/original signature covers the reproduction/);
    expectSameTree(a.outDir, r.bundle.outDir);
  }, 600_000);

  it('names the inputs it cannot find, and the first differing file and line', async () => {
    const inputs = scratch('partial-inputs');
    mkdirSync(inputs);
    await expect(reproduceBundle({ bundleDir: a.outDir, inputsDir: inputs, outDir: scratch('repro-unpinned') })).rejects.toThrow(/signed by a key it ships .* that nobody pinned/);
    await expect(reproduceBundle({ bundleDir: a.outDir, inputsDir: inputs, outDir: scratch('repro-none'), pubkeyFile: TEST_PUB })).rejects.toThrow(/9 of the bundle's 9 inputs are not under [^]*inputs\/cloudtrail\/AWSLogs\/[^]*\(sha256 [0-9a-f]{64}\)/);
    const { compareBundles, describeDifference } = await import('../../src/pipeline/reproduce.js');
    const other = copyTree(a.outDir, scratch('other'));
    const t = path.join(other, 'timeline.jsonl');
    const lines = readFileSync(t, 'utf8').split('\n');
    lines[4] = lines[4]!.replace('"source":', '"source" :');
    writeFileSync(t, lines.join('\n'));
    const d = await compareBundles(a.outDir, other);
    expect(describeDifference(d.difference!)).toMatch(/^timeline\.jsonl line 5:/);
    // with the original's hashes known (as reproduce passes them), the changed side is still hashed
    const known = new Map(readFileSync(path.join(a.outDir, 'SHA256SUMS'), 'utf8').trim().split('\n').map((l) => [l.slice(66), l.slice(0, 64)] as [string, string]));
    expect((await compareBundles(a.outDir, other, { expected: known })).difference?.file).toBe('timeline.jsonl');
    expect((await compareBundles(a.outDir, a.outDir, { expected: known, actual: known })).difference).toBeNull();
  });
});

describe('hostile evidence', () => {
  const PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{constructor.constructor("alert(3)")()}}\u0007\u001b[31m\u202e';

  function poison(caseDir: string): void {
    const tet = path.join(caseDir, 'inputs', 'tetragon', 'ip-10-0-29-28.us-west-2.compute.internal.json');
    const out = readFileSync(tet, 'utf8').trim().split('\n').map((l) => {
      const e = JSON.parse(l) as { process_exec?: { process: { arguments?: string } } };
      if (e.process_exec) e.process_exec.process.arguments = `${PAYLOAD} ${e.process_exec.process.arguments ?? ''}`;
      return JSON.stringify(e);
    });
    writeFileSync(tet, `${out.join('\n')}\n`);
    const audit = path.join(caseDir, 'inputs', 'kube-audit', 'audit.log');
    const lines = readFileSync(audit, 'utf8').trim().split('\n').map((l) => {
      const e = JSON.parse(l) as { user: { username: string }; userAgent?: string };
      if (e.user.username === 'alice@example.com') e.user.username = `alice${PAYLOAD}@example.com`;
      e.userAgent = `${PAYLOAD}${e.userAgent ?? ''}`;
      return JSON.stringify(e);
    });
    writeFileSync(audit, `${lines.join('\n')}\n`);
    const ctDir = path.join(caseDir, 'inputs', 'cloudtrail');
    for (const f of filesOf(ctDir)) {
      const p = path.join(ctDir, f);
      const doc = JSON.parse(gunzipSync(readFileSync(p)).toString('utf8')) as { Records: Record<string, unknown>[] };
      for (const r of doc.Records) {
        r['userAgent'] = PAYLOAD;
        const rp = r['requestParameters'] as Record<string, unknown> | null;
        if (rp && 'key' in rp) rp['key'] = PAYLOAD;
        if (rp && 'secretId' in rp) rp['secretId'] = PAYLOAD;
      }
      writeFileSync(p, gzipSync(JSON.stringify(doc)));
    }
  }

  it('keeps the report inert when command lines, user names, user agents and object names carry markup, template syntax and control characters', async () => {
    const h = await buildGoldenCase(scratch('case-hostile'), { mutate: poison });
    const html = readFileSync(path.join(h.outDir, 'report.html'), 'utf8');
    expectInertHtml(html);
    expect(html).toContain('alice&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('{{constructor.constructor(&quot;alert(3)&quot;)()}}');
    expect(html).toContain('\\u0007\\u001b[31m\\u202e');
    const md = readFileSync(path.join(h.outDir, 'report.md'), 'utf8');
    expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
    expect(md).toContain('`alice<script>alert(1)</script>"><img src=x onerror=alert(2)>');
    for (const l of readFileSync(path.join(h.outDir, 'timeline.jsonl'), 'utf8').trim().split('\n')) JSON.parse(l);
    expect((await verifyBundle(h.outDir)).ok).toBe(true);
  }, 600_000);
});

void ACQUIRED_AT; void renameSync;
