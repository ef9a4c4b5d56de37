import { describe, expect, it } from 'vitest';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeBase64, envelopeText, pae, signEnvelope, verifyEnvelope, IN_TOTO_PAYLOAD_TYPE } from '../../src/bundle/dsse.js';
import { keyIdOf, keyPairFromSeed, loadPrivateKey, loadPublicKey, writeKeyPair } from '../../src/bundle/keys.js';
import { formatSha256Sums, parseSha256Sums } from '../../src/bundle/sha256sums.js';
import { buildStatement, statementBytes, PREDICATE_TYPE, STATEMENT_TYPE } from '../../src/bundle/statement.js';
import { bundleCustodyLines } from '../../src/bundle/custody-export.js';

const FIXTURE_KEY = path.resolve(__dirname, '..', '..', 'fixtures', 'keys', 'TEST-ONLY-podtrail-test.key');

describe('DSSE', () => {
  it('builds the PAE of the specification vector', () => {
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('counts bytes, not characters, in PAE lengths', () => {
    expect(pae('t', Buffer.from('é', 'utf8')).toString('utf8')).toBe('DSSEv1 1 t 2 é');
  });

  it('signs deterministically (Ed25519) and verifies over the PAE', () => {
    const pair = keyPairFromSeed(Buffer.alloc(32, 1));
    const body = Buffer.from('{"a":1}');
    const a = envelopeText(signEnvelope(body, IN_TOTO_PAYLOAD_TYPE, pair.privateKey, keyIdOf(pair.publicKey)));
    const b = envelopeText(signEnvelope(body, IN_TOTO_PAYLOAD_TYPE, pair.privateKey, keyIdOf(pair.publicKey)));
    expect(a).toBe(b);
    const r = verifyEnvelope(a, pair.publicKey);
    expect(r.ok && r.body.equals(body)).toBe(true);
    // the signature is over PAE(type, body), which node can check on its own
    const env = JSON.parse(a) as { signatures: { sig: string }[] };
    expect(sign(null, pae(IN_TOTO_PAYLOAD_TYPE, body), pair.privateKey).toString('base64')).toBe(env.signatures[0]!.sig);
  });

  it('refuses a wrong key, an edited payload and another payload type', () => {
    const pair = keyPairFromSeed(Buffer.alloc(32, 2));
    const other = generateKeyPairSync('ed25519');
    const env = signEnvelope(Buffer.from('x'), IN_TOTO_PAYLOAD_TYPE, pair.privateKey, 'k');
    expect(verifyEnvelope(envelopeText(env), other.publicKey)).toMatchObject({ ok: false });
    expect(verifyEnvelope(envelopeText({ ...env, payload: Buffer.from('y').toString('base64') }), pair.publicKey)).toMatchObject({ ok: false });
    const typed = signEnvelope(Buffer.from('x'), 'application/json', pair.privateKey, 'k');
    expect(verifyEnvelope(envelopeText(typed), pair.publicKey)).toMatchObject({ ok: false, problem: expect.stringContaining('payloadType') });
  });

  it('accepts URL-safe and unpadded base64, refuses garbage', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xfe, 0x01]);
    expect(decodeBase64(bytes.toString('base64url'))?.equals(bytes)).toBe(true);
    expect(decodeBase64(bytes.toString('base64'))?.equals(bytes)).toBe(true);
    expect(decodeBase64('***')).toBeNull();
  });
});

describe('keys', () => {
  it('keyid is the sha256 of the SPKI DER', () => {
    const pair = keyPairFromSeed(Buffer.alloc(32, 3));
    expect(keyIdOf(pair.publicKey)).toBe(createHash('sha256').update(pair.publicKey.export({ type: 'spki', format: 'der' })).digest('hex'));
  });

  it('keygen writes PREFIX.key with mode 0600 and PREFIX.pub.pem, and refuses to overwrite', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'podtrail-keys-'));
    try {
      const r = writeKeyPair(path.join(dir, 'analyst'));
      expect(statSync(r.keyFile).mode & 0o777).toBe(0o600);
      expect(keyIdOf(loadPrivateKey(r.keyFile).publicKey)).toBe(r.keyid);
      expect(keyIdOf(loadPublicKey(r.pubFile))).toBe(r.keyid);
      expect(() => writeKeyPair(path.join(dir, 'analyst'))).toThrow(/exists/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a key that is not Ed25519', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'podtrail-keys-'));
    try {
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const f = path.join(dir, 'ec.key');
      writeFileSync(f, ec.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      expect(() => loadPrivateKey(f)).toThrow(/Ed25519/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the committed TEST-ONLY key is the documented seed', () => {
    const seed = createHash('sha256').update('podtrail TEST-ONLY signing key - committed for tests, never sign evidence with it').digest();
    expect(keyIdOf(loadPrivateKey(FIXTURE_KEY).publicKey)).toBe(keyIdOf(keyPairFromSeed(seed).publicKey));
    expect(readFileSync(FIXTURE_KEY, 'utf8')).toContain('BEGIN PRIVATE KEY');
  });
});

describe('SHA256SUMS', () => {
  const h = (c: string): string => c.repeat(64);

  it('is GNU text format in C-locale byte order', () => {
    const text = formatSha256Sums([
      { name: 'timeline.jsonl', sha256: h('a') },
      { name: 'inventory/pods.jsonl', sha256: h('b') },
      { name: 'SHA-upper.txt', sha256: h('c') },
      { name: 'inventory-x', sha256: h('d') },
    ]);
    expect(text.split('\n').slice(0, -1).map((l) => l.slice(66))).toEqual(['SHA-upper.txt', 'inventory-x', 'inventory/pods.jsonl', 'timeline.jsonl']);
    expect(text).toMatch(/^[0-9a-f]{64} {2}SHA-upper\.txt\n/);
    expect(parseSha256Sums(text).problems).toEqual([]);
  });

  it('parses strictly: order, duplicates, unsafe paths, format', () => {
    expect(parseSha256Sums(`${h('a')}  b\n${h('a')}  a\n`).problems.join()).toMatch(/byte order/);
    expect(parseSha256Sums(`${h('a')}  ../x\n`).problems.join()).toMatch(/unsafe/);
    expect(parseSha256Sums(`${h('a')} *x\n`).problems.join()).toMatch(/not "<sha256>  <path>"/);
    expect(() => formatSha256Sums([{ name: '/abs', sha256: h('a') }])).toThrow(/unsafe/);
  });
});

describe('statement', () => {
  it('is an in-toto Statement v1 whose subjects are the SHA256SUMS entries, sorted', () => {
    const s = buildStatement([{ name: 'b', sha256: 'b'.repeat(64) }, { name: 'a', sha256: 'a'.repeat(64) }], {
      case_id: 'c', inputs: [], tool: { name: 'podtrail', version: '0' }, config_sha256: '0'.repeat(64), custody_head: '0'.repeat(64),
    });
    expect(s._type).toBe(STATEMENT_TYPE);
    expect(s.predicateType).toBe(PREDICATE_TYPE);
    expect(s.subject.map((x) => x.name)).toEqual(['a', 'b']);
    expect(statementBytes(s).toString()).toMatch(/^\{"_type":"https:\/\/in-toto.io\/Statement\/v1","predicate":/);
  });
});

describe('bundle custody', () => {
  it('keeps the log up to its last entry that is not an export', () => {
    const e = (action: string, seq: number): string => JSON.stringify({ action, seq });
    expect(bundleCustodyLines([e('acquired', 1), e('analyzed', 2), e('exported', 3), e('exported', 4)])).toEqual([e('acquired', 1), e('analyzed', 2)]);
    expect(bundleCustodyLines([e('acquired', 1), e('exported', 2), e('acquired', 3)])).toHaveLength(3);
  });
});
