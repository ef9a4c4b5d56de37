/**
 * CloudTrail digest validation through the real path: trail files written as S3
 * lays them out, given to `podtrail ingest` with the digest metadata and the public keys, validated
 * by `podtrail correlate` into cloudtrail_validation. Every mutation of a trail an attacker
 * or an accident can make is applied to its own region of one synthetic trail signed with an RSA key
 * made in the test, and each is caught with the expected status and reason; the clean region has no
 * finding at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { makeCase, ingest, query, tempDir } from '../helpers/case.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { checkCase } from '../../src/check/check-case.js';
import { cloudTrailJson, digestMetadataDoc, gz, listPublicKeysBody, makeTrail, signDigest, trailKey, type TrailFixture, type TrailKey, type TrailObject } from '../servers/aws/trail-fixture.js';
import { stringToSign } from '../../src/cloudtrail-digest/string-to-sign.js';
import { loadPublicKey } from '../../src/cloudtrail-digest/public-key.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const REGIONS = {
  clean: 'us-east-1',
  truncated: 'us-west-2',
  secondMember: 'eu-west-1',
  trailingNuls: 'eu-west-2',
  trailingGarbage: 'eu-west-3',
  flippedByte: 'eu-central-1',
  logDeleted: 'ap-south-1',
  digestDeleted: 'ap-southeast-1',
  digestMoved: 'ap-southeast-2',
  tamperedField: 'ap-northeast-1',
  backfill: 'ca-central-1',
  unknownKey: 'us-east-2',
} as const;

function keysOf(t: TrailFixture, region: string, kind: 'log' | 'digest'): string[] {
  const marker = kind === 'digest' ? `/CloudTrail-Digest/${region}/` : `/CloudTrail/${region}/`;
  return [...t.objects.keys()].filter((k) => k.includes(marker)).sort();
}

function digestJson(o: TrailObject): Obj {
  return JSON.parse(gunzipSync(o.body).toString('utf8')) as Obj;
}

/** Writes the objects where `aws s3 sync s3://bucket dir/bucket` would. */
function writeObjects(dir: string, bucket: string, objects: Iterable<TrailObject>): void {
  for (const o of objects) {
    const f = path.join(dir, bucket, ...o.key.split('/'));
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, o.body);
  }
}

function writeKeys(dir: string, regions: string[], key: (region: string) => TrailKey): void {
  mkdirSync(path.join(dir, 'public-keys'), { recursive: true });
  for (const r of regions) writeFileSync(path.join(dir, 'public-keys', `${r}.json`), JSON.stringify(listPublicKeysBody([key(r)])));
}

interface Verdict {
  object_kind: string;
  region: string;
  s3_key: string;
  status: string;
  reason: string | null;
  interval_from: string | null;
  interval_to: string | null;
  signature_source: string | null;
  message: string;
}

async function verdicts(caseDir: string): Promise<Verdict[]> {
  return (await query(
    caseDir,
    `select object_kind, region, s3_key, status, reason, strftime(interval_from, '%Y-%m-%dT%H:%M:%SZ') as interval_from,
            strftime(interval_to, '%Y-%m-%dT%H:%M:%SZ') as interval_to, signature_source, message
     from cloudtrail_validation`,
  )) as unknown as Verdict[];
}

describe('digest validation: string to sign and keys', () => {
  it('builds the awscli unit vector exactly (LF, lowercase hex, literal null)', () => {
    const inflated = Buffer.from('abc');
    const sha = createHash('sha256').update(inflated).digest('hex');
    expect(stringToSign({ digestEndTime: 'a', digestS3Bucket: 'b', digestS3Object: 'c', previousDigestSignature: null }, sha)).toBe(
      'a\nb/c\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\nnull',
    );
  });

  it('reads PKCS#1 and SPKI keys and checks the fingerprint is the MD5 of the DER bytes', () => {
    const k = trailKey();
    expect(loadPublicKey({ region: 'us-east-1', fingerprint: k.fingerprint, value: k.value, validityStart: null, validityEnd: null }).ok).toBe(true);
    const spki = k.privateKey.export({ type: 'pkcs8', format: 'der' }) && generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' });
    const fp = createHash('md5').update(spki).digest('hex');
    expect(loadPublicKey({ region: 'us-east-1', fingerprint: fp, value: spki.toString('base64'), validityStart: null, validityEnd: null }).ok).toBe(true);
    const altered = loadPublicKey({ region: 'us-east-1', fingerprint: '00'.repeat(16), value: k.value, validityStart: null, validityEnd: null });
    expect(altered.ok).toBe(false);
    expect(!altered.ok && altered.reason).toMatch(/key file was altered/);
  });
});

describe('digest validation: every mutation fixture is caught', () => {
  let c: { caseDir: string; cleanup: () => void };
  let t: { dir: string; cleanup: () => void };
  let all: Verdict[] = [];
  let trail: TrailFixture;
  const removed: Record<string, string> = {};
  const by = (region: string): Verdict[] => all.filter((v) => v.region === region);

  beforeAll(async () => {
    trail = makeTrail({ regions: Object.values(REGIONS), hours: 3, logsPerHour: 2 });
    const o = trail.objects;
    const log = (region: string, i = 0): TrailObject => o.get(keysOf(trail, region, 'log')[i]!)!;
    const digest = (region: string, i: number): TrailObject => o.get(keysOf(trail, region, 'digest')[i]!)!;

    log(REGIONS.truncated).body = log(REGIONS.truncated).body.subarray(0, log(REGIONS.truncated).body.length - 12);
    log(REGIONS.secondMember).body = Buffer.concat([log(REGIONS.secondMember).body, gz(Buffer.from('{"Records":[]}'))]);
    log(REGIONS.trailingNuls).body = Buffer.concat([log(REGIONS.trailingNuls).body, Buffer.alloc(16)]);
    log(REGIONS.trailingGarbage).body = Buffer.concat([log(REGIONS.trailingGarbage).body, Buffer.from('garbage after the stream')]);
    const flipped = gunzipSync(log(REGIONS.flippedByte).body);
    flipped[flipped.indexOf('ListBuckets')] = 'l'.charCodeAt(0);
    log(REGIONS.flippedByte).body = gz(flipped);
    removed['log'] = keysOf(trail, REGIONS.logDeleted, 'log')[2]!; // a log of the second hour
    o.delete(removed['log']);
    removed['digest'] = keysOf(trail, REGIONS.digestDeleted, 'digest')[1]!; // the middle digest
    o.delete(removed['digest']);
    const moved = digest(REGIONS.digestMoved, 1);
    o.delete(moved.key);
    removed['moved'] = moved.key;
    moved.key = moved.key.replace(/_(\d{8}T\d{6}Z)\.json\.gz$/, '_20261020T235959Z.json.gz');
    o.set(moved.key, moved);
    const tampered = digest(REGIONS.tamperedField, 1);
    const tj = digestJson(tampered);
    tj['newestEventTime'] = '2026-10-20T08:59:59Z';
    tampered.body = gz(cloudTrailJson(tj));
    // a backfill digest, signed, whose S3 metadata lacks backfill-generation-timestamp
    const first = digestJson(digest(REGIONS.backfill, 0));
    const bkey = String(first['digestS3Object']).replace('.json.gz', '_backfill.json.gz');
    const bj = { ...first, digestS3Object: bkey };
    const binflated = cloudTrailJson(bj);
    o.set(bkey, { key: bkey, body: gz(binflated), metadata: { signature: signDigest(bj, binflated, trail.key.privateKey), 'signature-algorithm': 'SHA256withRSA' } });

    const other = { ...trailKey(), ...(() => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const der = publicKey.export({ type: 'pkcs1', format: 'der' });
      return { value: der.toString('base64'), fingerprint: createHash('md5').update(der).digest('hex') };
    })() };

    t = tempDir('podtrail-trail-');
    writeObjects(path.join(t.dir, 's3'), trail.bucket, o.values());
    writeKeys(t.dir, trail.regions, (r) => (r === REGIONS.unknownKey ? other : trail.key));
    writeFileSync(path.join(t.dir, 'digest-metadata.json'), JSON.stringify(digestMetadataDoc(trail.bucket, [...o.values()])));
    // a JSON-lines file of events with one line that is not JSON: a reject, the other lines land
    const lines = [JSON.stringify(trail.events.get(REGIONS.clean)![0]), '{not json', JSON.stringify(trail.events.get(REGIONS.clean)![1])];
    writeFileSync(path.join(t.dir, 'events.jsonl'), `${lines.join('\n')}\n`);

    c = makeCase({ from: '2026-10-20T07:30:00Z', to: '2026-10-20T10:00:00Z', margin: '1h' });
    const r = await ingest(c.caseDir, [t.dir]);
    expect(r.trail).not.toBeNull();
    await correlateCase(c.caseDir);
    all = await verdicts(c.caseDir);
  });

  afterAll(() => {
    c?.cleanup();
    t?.cleanup();
  });

  it('the clean region: 3 valid digests, 6 valid logs, only the chain start as a GAP', () => {
    const v = by(REGIONS.clean);
    expect(v.filter((x) => x.object_kind === 'digest').map((x) => x.status)).toEqual(['valid', 'valid', 'valid']);
    expect(v.filter((x) => x.object_kind === 'log').map((x) => x.status)).toEqual(Array(6).fill('valid'));
    expect(v.filter((x) => x.object_kind === 'gap')).toHaveLength(1);
    expect(v.filter((x) => x.status !== 'valid' && x.status !== 'GAP')).toEqual([]);
    expect(v.filter((x) => x.object_kind === 'digest').every((x) => x.signature_source === 'metadata')).toBe(true);
  });

  it('truncated gz -> INVALID (invalid format)', () => {
    const bad = by(REGIONS.truncated).filter((x) => x.status === 'INVALID');
    expect(bad).toHaveLength(1);
    expect(bad[0]!.reason).toMatch(/^invalid format \(.*truncated/);
  });

  it.each([
    ['a second gzip member', REGIONS.secondMember],
    ['trailing NULs', REGIONS.trailingNuls],
    ['trailing garbage', REGIONS.trailingGarbage],
  ])('%s -> INVALID (unexpected data after end of compressed stream)', (_what, region) => {
    const bad = by(region).filter((x) => x.status === 'INVALID');
    expect(bad).toHaveLength(1);
    expect(bad[0]!.object_kind).toBe('log');
    expect(bad[0]!.reason).toMatch(/^unexpected data after end of compressed stream/);
  });

  it("one flipped byte in a log -> INVALID: hash value doesn't match", () => {
    const bad = by(REGIONS.flippedByte).filter((x) => x.status === 'INVALID');
    expect(bad.map((x) => x.reason)).toEqual(["hash value doesn't match"]);
    expect(bad[0]!.message).toBe(`Log file\ts3://${trail.bucket}/${bad[0]!.s3_key}\tINVALID: hash value doesn't match`);
  });

  it('a log deleted -> INVALID: not found', () => {
    const bad = by(REGIONS.logDeleted).filter((x) => x.status === 'INVALID');
    expect(bad.map((x) => [x.object_kind, x.s3_key, x.reason])).toEqual([['log', removed['log'], 'not found']]);
  });

  it('a middle digest deleted -> INVALID: not found, and the chain goes on before it', () => {
    const v = by(REGIONS.digestDeleted);
    const bad = v.filter((x) => x.status === 'INVALID');
    expect(bad.map((x) => [x.object_kind, x.s3_key, x.reason])).toEqual([['digest', removed['digest'], 'not found']]);
    expect(v.filter((x) => x.object_kind === 'digest' && x.status === 'valid')).toHaveLength(2);
    // the logs only the deleted digest listed are listed by none now
    expect(v.filter((x) => x.status === 'UNREFERENCED')).toHaveLength(2);
  });

  it('a digest moved -> INVALID: has been moved from its original location (and its old key not found)', () => {
    const bad = by(REGIONS.digestMoved).filter((x) => x.status === 'INVALID');
    expect(bad.map((x) => x.reason).sort()).toEqual([`has been moved from its original location (s3://${trail.bucket}/${removed['moved']})`, 'not found']);
  });

  it('unknown fingerprint -> UNVERIFIABLE: public key not found, never INVALID', () => {
    const v = by(REGIONS.unknownKey);
    const digests = v.filter((x) => x.object_kind === 'digest');
    expect(digests.map((x) => x.status)).toEqual(['UNVERIFIABLE', 'UNVERIFIABLE', 'UNVERIFIABLE']);
    expect(digests[0]!.reason).toBe(`public key not found in region ${REGIONS.unknownKey} for fingerprint ${trail.key.fingerprint}`);
    expect(v.filter((x) => x.status === 'INVALID')).toEqual([]);
    expect(v.filter((x) => x.object_kind === 'log').every((x) => x.status === 'UNVERIFIABLE')).toBe(true);
  });

  it('a tampered digest field -> INVALID: signature verification failed; its logs are not vouched for', () => {
    const v = by(REGIONS.tamperedField);
    const bad = v.filter((x) => x.status === 'INVALID');
    expect(bad.map((x) => [x.object_kind, x.reason])).toEqual([['digest', 'signature verification failed']]);
    expect(v.filter((x) => x.object_kind === 'log' && x.status === 'UNVERIFIABLE')).toHaveLength(2);
  });

  it('a starting digest (null previous) -> GAP up to its digestStartTime', () => {
    const gaps = by(REGIONS.clean).filter((x) => x.object_kind === 'gap');
    expect(gaps.map((g) => [g.status, g.interval_from, g.interval_to])).toEqual([['GAP', null, '2026-10-20T07:01:31Z']]);
  });

  it('a backfill digest without backfill-generation-timestamp metadata -> INVALID (invalid format), in its own chain', () => {
    const bad = by(REGIONS.backfill).filter((x) => x.status === 'INVALID');
    expect(bad.map((x) => [x.object_kind, x.reason])).toEqual([['digest', 'invalid format (a backfill digest without backfill-generation-timestamp metadata)']]);
    expect(bad[0]!.message).toMatch(/^\(backfill\) Digest file\t/);
    expect(by(REGIONS.backfill).filter((x) => x.object_kind === 'log').every((x) => x.status === 'valid')).toBe(true);
  });

  it('a JSON-lines file with a line that is not JSON: one reject, the other lines land', async () => {
    const rows = await query(c.caseDir, `select e.records_landed, e.records_rejected, e.records_duplicate from evidence_files e where origin like '%events.jsonl'`);
    expect(rows).toEqual([{ records_landed: '0', records_rejected: '1', records_duplicate: '2' }]);
  });

  it('the cloudtrail-integrity check: per hour and region, gap where altered, ok where proven, unknown where unverifiable', async () => {
    await checkCase(c.caseDir);
    const rows = (await query(
      c.caseDir,
      `select region, strftime(interval_from, '%H:%M') as h, status, message from gap_findings
       where check_id = 'cloudtrail-integrity' and kind = 'trail-hour' order by region, interval_from`,
    )) as { region: string; h: string; status: string; message: string }[];
    const of = (region: string): string[] => rows.filter((x) => x.region === region).map((x) => `${x.h} ${x.status}`);
    expect(of(REGIONS.clean)).toEqual(['07:30 ok', '08:00 ok', '09:00 ok']);
    // the flipped log was delivered at 07:21 with events of 07:18-07:20: before the window
    expect(of(REGIONS.flippedByte)).toEqual(['07:30 ok', '08:00 ok', '09:00 ok']);
    expect(of(REGIONS.logDeleted)).toEqual(['07:30 ok', '08:00 gap', '09:00 ok']);
    expect(of(REGIONS.digestDeleted)).toEqual(['07:30 ok', '08:00 gap', '09:00 gap']);
    expect(of(REGIONS.unknownKey)).toEqual(['07:30 unknown', '08:00 unknown', '09:00 unknown']);
    expect(rows.find((x) => x.region === REGIONS.logDeleted && x.h === '08:00')!.message).toMatch(/1 log file\(s\) INVALID \(not found\)/);
    const objects = await query(c.caseDir, `select kind, status, message from gap_findings where check_id = 'cloudtrail-integrity' and kind <> 'trail-hour' order by finding_id`);
    expect(objects.filter((x) => x['status'] === 'gap')).toHaveLength(5 + 6 + 2);
    expect(objects.filter((x) => x['kind'] === 'trail-digest-unverifiable')).toHaveLength(3);
  });

  it('the timeline marks each CloudTrail event with the verdict of its log file', async () => {
    const lines = await query(c.caseDir, `select json_extract_string(line, '$.log_validation') as v, count(*)::INTEGER as n from mart_timeline where source = 'cloudtrail' group by v order by v`);
    expect(lines.map((x) => x['v'])).toEqual(['INVALID', 'UNREFERENCED', 'UNVERIFIABLE', 'valid']);
  });

  it('exact counts over the whole trail', () => {
    const count = (kind: string, status: string): number => all.filter((x) => x.object_kind === kind && x.status === status).length;
    expect({
      digestsValid: count('digest', 'valid'),
      digestsInvalid: count('digest', 'INVALID'),
      digestsUnverifiable: count('digest', 'UNVERIFIABLE'),
      logsValid: count('log', 'valid'),
      logsInvalid: count('log', 'INVALID'),
      logsUnverifiable: count('log', 'UNVERIFIABLE'),
      unreferenced: count('log', 'UNREFERENCED'),
      gaps: count('gap', 'GAP'),
    }).toEqual({
      // 12 chains of 3 + 1 backfill - 1 deleted = 36 digests on disk, plus 2 reported missing
      digestsValid: 30,
      digestsInvalid: 5, // deleted (not found), moved (moved + its old key not found), tampered, backfill
      digestsUnverifiable: 3, // the region whose key was not supplied
      logsValid: 54,
      logsInvalid: 6, // truncated, 2nd member, NULs, garbage, flipped byte, deleted
      logsUnverifiable: 10, // unknown key (6), tampered digest (2), moved digest (2)
      unreferenced: 2, // listed only by the deleted digest
      gaps: 13, // each chain's start
    });
  });
});

describe('digest validation offline, without the S3 metadata', () => {
  it('each digest is verified with the next one\'s previousDigestSignature; the newest is UNVERIFIABLE', async () => {
    const trail = makeTrail({ regions: ['us-east-1'], hours: 3, restartAt: [2] });
    const t = tempDir('podtrail-trail-');
    const c = makeCase();
    try {
      writeObjects(t.dir, trail.bucket, trail.objects.values());
      writeKeys(t.dir, trail.regions, () => trail.key);
      await ingest(c.caseDir, [t.dir]);
      await correlateCase(c.caseDir);
      const v = await verdicts(c.caseDir);
      const digests = v.filter((x) => x.object_kind === 'digest');
      // hour 2 restarts the chain: hour 1's signature is named by no newer digest
      expect(digests.map((x) => [x.status, x.signature_source])).toEqual([
        ['valid', 'next-digest'],
        ['UNVERIFIABLE', null],
        ['UNVERIFIABLE', null],
      ]);
      expect(digests[2]!.reason).toBe('no signature available (its S3 metadata was not captured and no newer digest names it)');
      const gaps = v.filter((x) => x.object_kind === 'gap');
      expect(gaps.map((g) => [g.interval_from, g.interval_to])).toEqual([
        [null, '2026-10-20T07:01:31Z'],
        ['2026-10-20T09:01:31Z', '2026-10-20T09:01:31Z'],
      ]);
      expect(gaps[1]!.message).toBe('No log files were delivered by CloudTrail between 2026-10-20T09:01:31Z and 2026-10-20T09:01:31Z');
      // no bucket was recorded: the report names the one the digest itself gives, where its key agrees
      expect(digests[0]!.message).toContain(`s3://${trail.bucket}/AWSLogs/`);
    } finally {
      c.cleanup();
      t.cleanup();
    }
  });
});
