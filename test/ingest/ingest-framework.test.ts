import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { makeCase, ingest, query, tempDir } from '../helpers/case.js';
import { tetragonLines, tetragonExec } from '../helpers/tetragon-lines.js';
import { casePaths } from '../../src/case/case-paths.js';
import { readCustody, verifyChain } from '../../src/custody/custody-log.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function newCase(o: Parameters<typeof makeCase>[0] = {}): string {
  const c = makeCase(o);
  cleanups.push(c.cleanup);
  return c.caseDir;
}

function inputDir(files: Record<string, string | Buffer>): string {
  const t = tempDir('podtrail-input-');
  cleanups.push(t.cleanup);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(t.dir, name)), { recursive: true });
    writeFileSync(path.join(t.dir, name), content);
  }
  return t.dir;
}

function treeHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = path.join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else h.update(`${path.relative(dir, p)}\0${st.mtimeMs}\0`).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

describe('ingest framework', () => {
  it('acquires, hashes and lands; a second ingest of the same bytes changes nothing', async () => {
    const caseDir = newCase();
    const input = inputDir({ 'node-a.json': tetragonLines(5).join('\n') + '\n' });
    const first = await ingest(caseDir, [input]);
    expect(first.files).toHaveLength(1);
    expect(first.files[0]!.status).toBe('landed');
    expect(first.landedRecords).toBe(5);
    const ef = await query(caseDir, 'select * from evidence_files');
    const sha = createHash('sha256').update(readFileSync(path.join(input, 'node-a.json'))).digest('hex');
    expect(ef[0]).toMatchObject({ sha256: sha, evidence_file_id: sha.slice(0, 16), source_type: 'tetragon', status: 'landed', records_total: '5', records_landed: '5', operator: 'tester' });
    expect(ef[0]!['acquired_at']).toBe('2026-11-29 00:00:00');
    const custodyBefore = readFileSync(casePaths(caseDir).custody, 'utf8');

    const copy = inputDir({ 'renamed.json': readFileSync(path.join(input, 'node-a.json')) });
    const second = await ingest(caseDir, [copy]);
    expect(second.files[0]!.status).toBe('already-ingested');
    expect(second.files[0]!.message).toContain(sha.slice(0, 16));
    expect(second.usable).toBe(true);
    expect(readFileSync(casePaths(caseDir).custody, 'utf8')).toBe(custodyBefore);
    expect(await query(caseDir, 'select count(*)::INT as n from runtime_events')).toEqual([{ n: 5 }]);
  });

  it('never modifies the inputs, even read-only ones, and keeps a read-only copy in raw/', async () => {
    const caseDir = newCase();
    const input = inputDir({ 'a/node-a.json': tetragonLines(3).join('\n'), 'b/node-b.json': tetragonLines(2, { node: 'node-b' }).join('\n') });
    chmodSync(path.join(input, 'a'), 0o555);
    const before = treeHash(input);
    await ingest(caseDir, [input]);
    expect(treeHash(input)).toBe(before);
    chmodSync(path.join(input, 'a'), 0o755);
    const raw = readdirSync(casePaths(caseDir).raw);
    expect(raw).toHaveLength(2);
    for (const f of raw) expect(statSync(path.join(casePaths(caseDir).raw, f)).mode & 0o222).toBe(0);
  });

  it('refuses an input tree that contains the case folder', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const c = makeCase();
    cleanups.push(c.cleanup);
    const parent = path.dirname(c.caseDir);
    await expect(ingest(c.caseDir, [parent])).rejects.toThrow(/contains the case folder/);
  });

  it('records origin relative to the case for inputs inside it, sorted whatever the command-line order', async () => {
    const caseDir = newCase();
    mkdirSync(path.join(caseDir, 'inputs', 'tetragon'), { recursive: true });
    writeFileSync(path.join(caseDir, 'inputs', 'tetragon', 'b.json'), tetragonLines(1, { node: 'b' }).join('\n'));
    writeFileSync(path.join(caseDir, 'inputs', 'tetragon', 'a.json'), tetragonLines(1, { node: 'a' }).join('\n'));
    const r = await ingest(caseDir, [path.join(caseDir, 'inputs', 'tetragon', 'b.json'), path.join(caseDir, 'inputs', 'tetragon', 'a.json')]);
    expect(r.files.map((f) => f.origin)).toEqual(['inputs/tetragon/a.json', 'inputs/tetragon/b.json']);
  });

  it('counts records outside window plus margin per file, lands the rest, keeps ns precision', async () => {
    const caseDir = newCase({ from: '2026-10-20T09:10:00Z', to: '2026-10-20T09:20:00Z', margin: '1m' });
    const lines = [
      tetragonExec(0, { time: '2026-10-20T09:08:59.999999999Z' }),
      tetragonExec(1, { time: '2026-10-20T09:09:00.000000001Z' }),
      tetragonExec(2, { time: '2026-10-20T09:21:00.000000000Z' }),
      tetragonExec(3, { time: '2026-10-20T09:21:00.000000001Z' }),
    ];
    const r = await ingest(caseDir, [inputDir({ 'x.json': lines.join('\n') })]);
    expect(r.files[0]!.landing).toMatchObject({ total: 4, landed: 2, outOfWindow: 2, rejected: 0 });
    const rows = await query(caseDir, 'select line, ts::VARCHAR as ts from runtime_events order by line');
    expect(rows).toEqual([
      { line: '2', ts: '2026-10-20 09:09:00.000000001' },
      { line: '3', ts: '2026-10-20 09:21:00' },
    ]);
    const ef = await query(caseDir, 'select records_out_of_window, first_record_at::VARCHAR as f from evidence_files');
    expect(ef[0]).toMatchObject({ records_out_of_window: '2' });
  });

  it('lands runtime events outside the namespace scope with in_scope = false', async () => {
    const caseDir = newCase({ namespaces: ['payments'] });
    const lines = [tetragonExec(0, { ns: 'payments' }), tetragonExec(1, { ns: 'kube-system' })];
    await ingest(caseDir, [inputDir({ 'x.json': lines.join('\n') })]);
    expect(await query(caseDir, 'select pod_namespace, in_scope from runtime_events order by line')).toEqual([
      { pod_namespace: 'payments', in_scope: true },
      { pod_namespace: 'kube-system', in_scope: false },
    ]);
  });

  it('writes a hash-chained custody log that detects an edited entry', async () => {
    const caseDir = newCase();
    await ingest(caseDir, [inputDir({ 'x.json': tetragonLines(2).join('\n') })]);
    await ingest(caseDir, [inputDir({ 'y.json': tetragonLines(3, { node: 'n2' }).join('\n') })]);
    const { entries, lines } = readCustody(casePaths(caseDir).custody);
    expect(entries.map((e) => e.action)).toEqual(['acquired', 'transformed', 'landed', 'acquired', 'transformed', 'landed']);
    expect(verifyChain(lines)).toEqual([]);
    const edited = [...lines];
    edited[1] = edited[1]!.replace('"tester"', '"mallory"');
    expect(verifyChain(edited).join('\n')).toMatch(/entry 2: prev|entry 3: prev/);
    expect(verifyChain([lines[0]!, lines[2]!]).length).toBeGreaterThan(0);
  });

  it('a moved case heals: views are rewritten with the new absolute paths on the next command', async () => {
    const caseDir = newCase();
    await ingest(caseDir, [inputDir({ 'x.json': tetragonLines(4).join('\n') })]);
    const t = tempDir('podtrail-moved-');
    cleanups.push(t.cleanup);
    const moved = path.join(t.dir, 'moved-case');
    cpSync(caseDir, moved, { recursive: true });
    expect(await query(moved, 'select count(*)::INT as n from runtime_events')).toEqual([{ n: 4 }]);
    expect(existsSync(path.join(moved, 'case.duckdb'))).toBe(true);
  });

  it('an ingest interrupted before its commit leaves the case as it was', async () => {
    const caseDir = newCase();
    await ingest(caseDir, [inputDir({ 'x.json': tetragonLines(2).join('\n') })]);
    const p = casePaths(caseDir);
    const custody = readFileSync(p.custody, 'utf8');
    process.env['PODTRAIL_FAULT'] = 'after-partitions';
    try {
      await expect(ingest(caseDir, [inputDir({ 'y.json': tetragonLines(3, { node: 'n2' }).join('\n') })])).rejects.toThrow(/injected fault/);
    } finally {
      delete process.env['PODTRAIL_FAULT'];
    }
    expect(await query(caseDir, 'select count(*)::INT as n from runtime_events')).toEqual([{ n: 2 }]);
    expect(await query(caseDir, 'select count(*)::INT as n from evidence_files')).toEqual([{ n: 1 }]);
    // the next ingest removes what the interrupted one left behind
    await ingest(caseDir, [inputDir({ 'z.json': tetragonLines(1, { node: 'n3' }).join('\n') })]);
    expect(readFileSync(p.custody, 'utf8').startsWith(custody)).toBe(true);
    expect(readdirSync(p.raw)).toHaveLength(2);
    expect(readdirSync(path.join(p.lake, 'runtime_events'))).toHaveLength(2);
  });

  it('an ingest interrupted after its commit point rolls forward', async () => {
    const caseDir = newCase();
    const p = casePaths(caseDir);
    process.env['PODTRAIL_FAULT'] = 'after-catalog';
    try {
      await expect(ingest(caseDir, [inputDir({ 'y.json': tetragonLines(3).join('\n') })])).rejects.toThrow(/injected fault/);
    } finally {
      delete process.env['PODTRAIL_FAULT'];
    }
    expect(existsSync(`${p.custody}.next`)).toBe(true);
    await ingest(caseDir, [inputDir({ 'z.json': tetragonLines(1, { node: 'n3' }).join('\n') })]);
    const { entries, lines } = readCustody(p.custody);
    expect(verifyChain(lines)).toEqual([]);
    expect(entries.filter((e) => e.action === 'landed')).toHaveLength(2);
    expect(await query(caseDir, 'select count(*)::INT as n from runtime_events')).toEqual([{ n: 4 }]);
  });
});

describe('small CloudTrail log files land together', () => {
  it('lands a batch of S3 log files with exact per-file accounting, and one copy of an event two files hold', async () => {
    const { gzipSync } = await import('node:zlib');
    const caseDir = newCase({ from: '2026-10-20T09:00:00Z', to: '2026-10-20T10:00:00Z' });
    const event = (id: string, minute: number) => ({
      eventVersion: '1.08',
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ci', accessKeyId: 'AKIAEXAMPLEEXAMPLE01' },
      eventTime: `2026-10-20T09:${String(minute).padStart(2, '0')}:00Z`,
      eventSource: 'sts.amazonaws.com',
      eventName: 'GetCallerIdentity',
      awsRegion: 'us-west-2',
      sourceIPAddress: '203.0.113.5',
      eventID: id,
      eventType: 'AwsApiCall',
      recipientAccountId: '111122223333',
    });
    const key = (n: number) => `AWSLogs/111122223333/CloudTrail/us-west-2/2026/10/20/111122223333_CloudTrail_us-west-2_20261020T09${String(n).padStart(2, '0')}Z_abc${n}.json.gz`;
    const files: Record<string, Buffer> = {};
    for (let n = 0; n < 5; n++) files[key(n)] = gzipSync(JSON.stringify({ Records: [event(`e-${n}-a`, n), event(`e-${n}-b`, n)] }));
    files[key(9)] = gzipSync(JSON.stringify({ Records: [event('e-0-a', 0), event('e-9-a', 9)] }));
    const input = inputDir(files);
    const r = await ingest(caseDir, [input]);
    expect(r.files.every((f) => f.status === 'landed')).toBe(true);
    const perFile = r.files.map((f) => [f.landing!.total, f.landing!.landed, f.landing!.duplicate]);
    expect(perFile.reduce((n, [t]) => n + t!, 0)).toBe(12);
    expect(perFile.reduce((n, [, l]) => n + l!, 0)).toBe(11);
    expect(perFile.reduce((n, [, , d]) => n + d!, 0)).toBe(1);
    const rows = await query(caseDir, 'select count(*)::INT as n, count(distinct event_id)::INT as ids from cloud_events');
    expect(rows).toEqual([{ n: 11, ids: 11 }]);
    const dup = await query(caseDir, 'select event_id from ingest_duplicates');
    expect(dup).toEqual([{ event_id: 'e-0-a' }]);
    // the same inputs in another case give the same winner
    const again = newCase({ from: '2026-10-20T09:00:00Z', to: '2026-10-20T10:00:00Z' });
    await ingest(again, [input]);
    expect(await query(again, 'select row_id from ingest_duplicates')).toEqual(await query(caseDir, 'select row_id from ingest_duplicates'));
  });
});
