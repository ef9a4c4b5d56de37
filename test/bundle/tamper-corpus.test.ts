import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/case.js';
import { GOLDEN, TEST_PUB, copyTree, filesOf } from './helpers.js';
import { verifyBundle } from '../../src/bundle/verify-bundle.js';
import { decodeBase64, envelopeText, signEnvelope, IN_TOTO_PAYLOAD_TYPE } from '../../src/bundle/dsse.js';
import { keyIdOf, keyPairFromSeed, publicKeyPem } from '../../src/bundle/keys.js';
import { formatSha256Sums, parseSha256Sums, UNLISTED_FILES } from '../../src/bundle/sha256sums.js';
import { statementBytes, type Statement } from '../../src/bundle/statement.js';
import { canonicalJson } from '../../src/core/canonical-json.js';

/**
 * The tampering corpus: each entry changes a copy of the committed golden bundle as an attacker
 * would, from a flipped byte to a bundle re-hashed and re-signed with the attacker's own key that
 * ships that key. verify must never call a tampered bundle verified: with the signer pinned every
 * tampering fails (exit 4); without a pin it is never authenticated (exit 5 at best), and
 * --allow-unpinned still fails every tampering that integrity alone can see.
 */

const EXPECTED = path.join(GOLDEN, 'expected');
const ATTACKER = keyPairFromSeed(createHash('sha256').update('attacker key for the tamper corpus').digest());
let tmp: { dir: string; cleanup: () => void };
let n = 0;

beforeAll(() => {
  tmp = tempDir('podtrail-tamper-');
});
afterAll(() => tmp?.cleanup());

const at = (dir: string, f: string): string => path.join(dir, ...f.split('/'));
const read = (dir: string, f: string): string => readFileSync(at(dir, f), 'utf8');
const write = (dir: string, f: string, text: string | Buffer): void => writeFileSync(at(dir, f), text);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** SHA256SUMS rewritten for the files as they now are (what an attacker does after an edit). */
function resum(dir: string): void {
  const entries = filesOf(dir).filter((f) => !UNLISTED_FILES.includes(f)).map((name) => ({ name, sha256: sha(readFileSync(at(dir, name))) }));
  write(dir, 'SHA256SUMS', formatSha256Sums(entries));
}

/** The signed statement, re-made over the current SHA256SUMS (and edited), signed with the attacker's key, which the bundle then ships. */
function resign(dir: string, edit: (s: Statement) => void = () => {}): void {
  const v = JSON.parse(read(dir, 'validation.json')) as { signature: { status: string; keyid?: string } };
  v.signature = { status: 'signed', keyid: keyIdOf(ATTACKER.publicKey) };
  write(dir, 'validation.json', canonicalJson(v));
  resum(dir);
  const env = JSON.parse(read(dir, 'attestation.dsse.json')) as { payload: string };
  const st = JSON.parse(decodeBase64(env.payload)!.toString('utf8')) as Statement;
  st.subject = parseSha256Sums(read(dir, 'SHA256SUMS')).entries.map((e) => ({ name: e.name, digest: { sha256: e.sha256 } }));
  edit(st);
  write(dir, 'attestation.dsse.json', envelopeText(signEnvelope(statementBytes(st), IN_TOTO_PAYLOAD_TYPE, ATTACKER.privateKey, keyIdOf(ATTACKER.publicKey))));
  write(dir, 'evidence.pub.pem', publicKeyPem(ATTACKER.publicKey));
}

const custodyHead = (text: string): string => createHash('sha256').update(text.split('\n').filter(Boolean).at(-1)!).digest('hex');

function flipByte(f: string) {
  return (d: string): void => {
    const b = readFileSync(at(d, f));
    b[Math.floor(b.length / 2)] ^= 0x01;
    write(d, f, b);
  };
}

const changeAttribution = (d: string): void => write(d, 'joins.jsonl', read(d, 'joins.jsonl').replace('"proven"', '"strong"'));

/** name, and what it does to a bundle copy. `resigned`: the attacker re-hashed and re-signed (integrity alone cannot see it). */
const TAMPERINGS: { name: string; apply: (dir: string) => void; resigned?: boolean }[] = [
  ...filesOf(EXPECTED).map((f) => ({ name: `flip a byte of ${f}`, apply: flipByte(f) })),
  ...filesOf(EXPECTED).map((f) => ({ name: `remove ${f}`, apply: (d: string) => unlinkSync(at(d, f)) })),
  ...['joins.jsonl', 'timeline.jsonl', 'report.md', 'custody.jsonl', 'manifest.json'].map((f) => ({ name: `truncate ${f}`, apply: (d: string) => write(d, f, '') })),
  ...['joins.jsonl', 'report.html', 'validation.json'].map((f) => ({ name: `append a line to ${f}`, apply: (d: string) => appendFileSync(at(d, f), '{"pod_uid":"planted"}\n') })),
  { name: 'add a file at the top', apply: (d) => write(d, 'notes.txt', 'planted') },
  { name: 'add a file in inventory/', apply: (d) => write(d, 'inventory/extra.jsonl', '{}\n') },
  { name: 'add a hidden file', apply: (d) => write(d, '.hidden', 'x') },
  { name: 'add a folder with a file', apply: (d) => (mkdirSync(at(d, 'more')), write(d, 'more/x.jsonl', '{}\n')) },
  { name: 'add a symlink', apply: (d) => symlinkSync('/etc/hostname', at(d, 'link.txt')) },
  { name: 'replace a file by a symlink to its copy', apply: (d) => (write(d, '../joins-copy.jsonl', read(d, 'joins.jsonl')), unlinkSync(at(d, 'joins.jsonl')), symlinkSync(path.resolve(d, '..', 'joins-copy.jsonl'), at(d, 'joins.jsonl'))) },
  { name: 'change an attribution', apply: changeAttribution },
  { name: 'change an attribution and its SHA256SUMS line', apply: (d) => (changeAttribution(d), resum(d)) },
  { name: 'reorder SHA256SUMS', apply: (d) => write(d, 'SHA256SUMS', read(d, 'SHA256SUMS').trim().split('\n').reverse().join('\n') + '\n') },
  { name: 'duplicate a SHA256SUMS line', apply: (d) => write(d, 'SHA256SUMS', read(d, 'SHA256SUMS').replace(/^(.*\n)/, '$1$1')) },
  { name: 'drop a SHA256SUMS line', apply: (d) => write(d, 'SHA256SUMS', read(d, 'SHA256SUMS').replace(/^.*joins\.jsonl\n/m, '')) },
  { name: 'binary marker in SHA256SUMS', apply: (d) => write(d, 'SHA256SUMS', read(d, 'SHA256SUMS').replace('  joins.jsonl', ' *joins.jsonl')) },
  { name: 'CRLF in SHA256SUMS', apply: (d) => write(d, 'SHA256SUMS', read(d, 'SHA256SUMS').replace(/\n/g, '\r\n')) },
  { name: 'a ../ path in SHA256SUMS', apply: (d) => write(d, 'SHA256SUMS', read(d, 'SHA256SUMS').replace('  joins.jsonl', '  ../joins.jsonl')) },
  { name: 'an absolute path in SHA256SUMS', apply: (d) => write(d, 'SHA256SUMS', read(d, 'SHA256SUMS').replace('  joins.jsonl', '  /etc/hostname')) },
  { name: 'edit a custody entry', apply: (d) => write(d, 'custody.jsonl', read(d, 'custody.jsonl').replace('"actor":"golden"', '"actor":"mallory"')) },
  { name: 'drop the last custody entry, re-hashed', apply: (d) => (write(d, 'custody.jsonl', read(d, 'custody.jsonl').trim().split('\n').slice(0, -1).join('\n') + '\n'), resum(d)) },
  { name: 'swap two timeline lines, re-hashed', apply: (d) => { const l = read(d, 'timeline.jsonl').split('\n'); [l[3], l[4]] = [l[4]!, l[3]!]; write(d, 'timeline.jsonl', l.join('\n')); resum(d); } },
  { name: 'remove the signature', apply: (d) => unlinkSync(at(d, 'attestation.dsse.json')) },
  { name: 'remove the signature and the key', apply: (d) => (unlinkSync(at(d, 'attestation.dsse.json')), unlinkSync(at(d, 'evidence.pub.pem'))) },
  { name: 'strip the signature and say "unsigned", re-hashed', apply: (d) => { unlinkSync(at(d, 'attestation.dsse.json')); unlinkSync(at(d, 'evidence.pub.pem')); const v = JSON.parse(read(d, 'validation.json')) as Record<string, unknown>; v['signature'] = { status: 'unsigned' }; write(d, 'validation.json', canonicalJson(v)); resum(d); }, resigned: true },
  { name: 'change an attribution, strip the signature, say "unsigned", re-hash', apply: (d) => { changeAttribution(d); unlinkSync(at(d, 'attestation.dsse.json')); unlinkSync(at(d, 'evidence.pub.pem')); const v = JSON.parse(read(d, 'validation.json')) as Record<string, unknown>; v['signature'] = { status: 'unsigned' }; write(d, 'validation.json', canonicalJson(v)); resum(d); }, resigned: true },
  { name: 'ship another key', apply: (d) => write(d, 'evidence.pub.pem', publicKeyPem(ATTACKER.publicKey)) },
  { name: 'a garbage key', apply: (d) => write(d, 'evidence.pub.pem', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n') },
  { name: 'change the payload type', apply: (d) => write(d, 'attestation.dsse.json', read(d, 'attestation.dsse.json').replace('application/vnd.in-toto+json', 'application/json')) },
  { name: 'edit the signed payload', apply: (d) => { const e = JSON.parse(read(d, 'attestation.dsse.json')) as { payload: string }; e.payload = Buffer.from(decodeBase64(e.payload)!.toString().replace('"custody_head":"', '"custody_head":"0')).toString('base64'); write(d, 'attestation.dsse.json', JSON.stringify(e)); } },
  { name: 'drop the signatures from the envelope', apply: (d) => { const e = JSON.parse(read(d, 'attestation.dsse.json')) as { signatures: unknown[] }; e.signatures = []; write(d, 'attestation.dsse.json', JSON.stringify(e)); } },
  { name: 'garbage envelope', apply: (d) => write(d, 'attestation.dsse.json', '{not json') },
  { name: 'an attacker-signed envelope with the original key shipped', apply: (d) => { const keep = read(d, 'evidence.pub.pem'); resign(d); write(d, 'evidence.pub.pem', keep); } },
  { name: 're-sign an unchanged bundle with the attacker key', apply: (d) => resign(d), resigned: true },
  { name: 'change an attribution, re-hash, re-sign with the attacker key shipped', apply: (d) => (changeAttribution(d), resign(d)), resigned: true },
  { name: 'rewrite the report, re-hash, re-sign', apply: (d) => (write(d, 'report.md', read(d, 'report.md').replace(/56a3b86b/g, 'deadbeef')), resign(d)), resigned: true },
  { name: 'drop a pod from the inventory, re-hash, re-sign', apply: (d) => (write(d, 'inventory/pods.jsonl', read(d, 'inventory/pods.jsonl').split('\n').slice(1).join('\n')), resign(d)), resigned: true },
  { name: 'edit custody, re-chain nothing, re-sign with its head', apply: (d) => { write(d, 'custody.jsonl', read(d, 'custody.jsonl').replace('"actor":"golden"', '"actor":"mallory"')); resign(d, (s) => { s.predicate.custody_head = custodyHead(read(d, 'custody.jsonl')); }); } },
  { name: 'change an input hash in the manifest, re-sign with it', apply: (d) => { const m = JSON.parse(read(d, 'manifest.json')) as { inputs: { sha256: string }[] }; m.inputs[0]!.sha256 = '0'.repeat(64); write(d, 'manifest.json', canonicalJson(m)); resign(d, (s) => { s.predicate.inputs[0]!.sha256 = '0'.repeat(64); }); }, resigned: true },
  { name: 'reorder the timeline, re-hash, re-sign', apply: (d) => { const l = read(d, 'timeline.jsonl').split('\n'); [l[3], l[4]] = [l[4]!, l[3]!]; write(d, 'timeline.jsonl', l.join('\n')); resign(d); } },
  { name: 'a statement naming a file SHA256SUMS does not', apply: (d) => resign(d, (s) => s.subject.push({ name: 'extra.jsonl', digest: { sha256: '0'.repeat(64) } })) },
  { name: 'a statement for another config', apply: (d) => resign(d, (s) => { s.predicate.config_sha256 = '0'.repeat(64); }) },
  { name: 'validation.json names another keyid', apply: (d) => { const v = JSON.parse(read(d, 'validation.json')) as { signature: { keyid: string } }; v.signature.keyid = '0'.repeat(64); write(d, 'validation.json', canonicalJson(v)); resum(d); } },
];

describe(`the tampering corpus (${TAMPERINGS.length} tamperings of the golden bundle)`, () => {
  it('verify never reports a tampered bundle verified: caught with the signer pinned, never authenticated without', async () => {
    const rows: { name: string; pinned: string; unpinned: string; integrityOnly: boolean }[] = [];
    for (const t of TAMPERINGS) {
      const dir = copyTree(EXPECTED, path.join(tmp.dir, `t${++n}`, 'bundle'));
      t.apply(dir);
      const pinned = await verifyBundle(dir, { pubkeyFile: TEST_PUB });
      const unpinned = await verifyBundle(dir);
      const verdict = (r: typeof pinned): string => (!r.ok ? 'integrity' : r.trust === 'pinned' ? 'VERIFIED' : `not authenticated (${r.trust})`);
      rows.push({ name: t.name, pinned: verdict(pinned), unpinned: verdict(unpinned), integrityOnly: !unpinned.ok });
      rmSync(path.dirname(dir), { recursive: true, force: true });
    }
    const caughtPinned = rows.filter((r) => r.pinned !== 'VERIFIED').length;
    const caughtUnpinned = rows.filter((r) => r.unpinned !== 'VERIFIED').length;
    const byIntegrity = rows.filter((r) => r.integrityOnly).length;
    console.log(`tamperings ${rows.length}: caught with a pinned key ${caughtPinned}; without a pin ${caughtUnpinned} (exit 4 on integrity: ${byIntegrity}, exit 5 not authenticated: ${caughtUnpinned - byIntegrity})`);
    expect(rows.filter((r) => r.pinned !== 'integrity').map((r) => `${r.name}: ${r.pinned}`), 'with the signer pinned every tampering fails integrity').toEqual([]);
    expect(rows.filter((r) => r.unpinned === 'VERIFIED')).toEqual([]);
    // what integrity alone cannot see is only ever what the attacker re-signed (or stripped and re-hashed)
    const resigned = new Set(TAMPERINGS.filter((t) => t.resigned).map((t) => t.name));
    expect(rows.filter((r) => !r.integrityOnly && !resigned.has(r.name)).map((r) => r.name)).toEqual([]);
    // a re-signed manifest whose input hash no custody acquisition records fails integrity too
    expect(rows.find((r) => r.name === 'change an input hash in the manifest, re-sign with it')?.integrityOnly).toBe(true);
    // the untouched bundle: verified only with the pin
    expect((await verifyBundle(EXPECTED, { pubkeyFile: TEST_PUB })).trust).toBe('pinned');
    expect((await verifyBundle(EXPECTED)).trust).toBe('unpinned');
  });
});
