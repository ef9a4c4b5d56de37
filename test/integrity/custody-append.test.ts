/**
 * The custody log appended in place (CustodyAppender, what a live collection uses): the same bytes
 * as a whole-file rewrite, entries other commands append between two batches verified and chained
 * after, the whole chain verified once per appender, and the tail an interrupted append leaves (a
 * cut last line, NUL bytes) settled by the next command that opens the case, in the chain.
 */
import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { scratch } from './scratch.js';
import { ingest, query } from '../helpers/case.js';
import { tetragonLines } from '../helpers/tetragon-lines.js';
import { casePaths } from '../../src/case/case-paths.js';
import { CustodyAppender } from '../../src/custody/custody-append.js';
import { appendCustody, completeLength, extendCustody, hasTornTail, readCustody, repairTornAppend, verifyChain, type CustodyEntryInput } from '../../src/custody/custody-log.js';
import { IntegrityError } from '../../src/core/errors.js';
import { createClock } from '../../src/core/clock.js';
import path from 'node:path';

const { newCase, dir } = scratch();

const entry = (n: number): CustodyEntryInput => ({ action: 'collected', at: `2026-10-20T09:00:${String(n % 60).padStart(2, '0')}.000Z`, actor: 'tester', tool: 'podtrail test', purpose: `GET /object/${n} -> 200 ok`, object: { kind: 'request', seq: n, response_sha256: createHash('sha256').update(String(n)).digest('hex') } });
const entries = (from: number, n: number): CustodyEntryInput[] => Array.from({ length: n }, (_, i) => entry(from + i));

describe('custody appended in place', () => {
  it('writes the same bytes as the whole-file rewrite, batch after batch', async () => {
    const d = dir();
    const a = new CustodyAppender(path.join(d, 'a.jsonl'));
    const b = path.join(d, 'b.jsonl');
    for (const [from, n] of [[1, 3], [4, 1], [5, 20]] as const) {
      await a.append(entries(from, n));
      appendCustody(b, entries(from, n));
    }
    await a.append([]);
    expect(readFileSync(path.join(d, 'a.jsonl'), 'utf8')).toBe(readFileSync(b, 'utf8'));
    expect(verifyChain(readCustody(b).lines)).toEqual([]);
    expect(readCustody(b).entries).toHaveLength(24);
  });

  it('entries another command appended between two batches are verified and chained after', async () => {
    const d = dir();
    const f = path.join(d, 'custody.jsonl');
    const a = new CustodyAppender(f);
    await a.append(entries(1, 2));
    appendCustody(f, [{ ...entry(100), action: 'analyzed', purpose: 'correlate' }]); // e.g. correlate, rewriting the log whole
    await a.append(entries(3, 2));
    const { entries: all, lines } = readCustody(f);
    expect(verifyChain(lines)).toEqual([]);
    expect(all.map((e) => e.purpose)).toEqual(['GET /object/1 -> 200 ok', 'GET /object/2 -> 200 ok', 'correlate', 'GET /object/3 -> 200 ok', 'GET /object/4 -> 200 ok']);
  });

  it('a log changed other than by appending is read and verified whole again, and refused when broken', async () => {
    const d = dir();
    const f = path.join(d, 'custody.jsonl');
    const a = new CustodyAppender(f);
    await a.append(entries(1, 3));
    // an entry edited to a longer text: the last line is no longer where the appender left it, so it verifies the whole log
    writeFileSync(f, readFileSync(f, 'utf8').replace('GET /object/2 -> 200 ok', 'GET /object/2 -> 200 okay'));
    const e = await a.append(entries(4, 1)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IntegrityError);
    expect((e as Error).message).toMatch(/custody\.jsonl is broken, refusing to extend it:\n {2}custody entry 3: prev hash does not match entry 2/);
  });

  it('verifies the whole chain once per appender: an entry edited mid-run behind its head is caught by the next full check (ingest, the next run)', async () => {
    const d = dir();
    const f = path.join(d, 'custody.jsonl');
    const a = new CustodyAppender(f);
    await a.append(entries(1, 3));
    writeFileSync(f, readFileSync(f, 'utf8').replace('GET /object/1 -> 200 ok', 'GET /object/1 -> 404 ok'));
    await a.append(entries(4, 1)); // O(1): only the head is checked
    expect(verifyChain(readCustody(f).lines)).toEqual(['custody entry 2: prev hash does not match entry 1 (entry edited, removed or reordered)']);
    expect(() => extendCustody(f, entries(5, 1))).toThrow(IntegrityError);
    await expect(new CustodyAppender(f).append(entries(5, 1))).rejects.toThrow(/refusing to extend it/);
  });
});

describe('an interrupted append', () => {
  it('finds where the whole lines end: a cut last line, NUL bytes, or nothing to cut', () => {
    expect(completeLength(Buffer.from(''))).toBe(0);
    expect(completeLength(Buffer.from('{"a":1}\n'))).toBe(8);
    expect(completeLength(Buffer.from('{"a":1}\n{"b"'))).toBe(8);
    expect(completeLength(Buffer.from('{"a":1}\n\0\0\0'))).toBe(8);
    expect(completeLength(Buffer.from('{"a":1}\n{"b":2}\0\0'))).toBe(8);
    expect(completeLength(Buffer.from('{"a"'))).toBe(0);
    expect(completeLength(Buffer.from('\0\0'))).toBe(0);
  });

  it('its tail is cut and recorded in the chain (bytes and their hash); the entries before it stay', async () => {
    const d = dir();
    const f = path.join(d, 'custody.jsonl');
    await new CustodyAppender(f).append(entries(1, 3));
    const intact = readFileSync(f);
    const torn = Buffer.concat([Buffer.from(readFileSync(f, 'utf8').split('\n')[1]!.slice(0, 40)), Buffer.alloc(64)]);
    appendFileSync(f, torn); // a batch cut short: part of an entry, then the NULs of a file grown before its data reached the disk
    expect(hasTornTail(f)).toBe(true);
    expect(() => readCustody(f)).toThrow(/line 4 is not a custody entry/);
    expect(repairTornAppend(f, 'tester')).toBe('recovered: custody log settled after an interrupted append: 104 bytes of an incomplete entry after entry 3 removed');
    expect(hasTornTail(f)).toBe(false);
    const { entries: all, lines } = readCustody(f);
    expect(verifyChain(lines)).toEqual([]);
    expect(readFileSync(f).subarray(0, intact.length).equals(intact)).toBe(true);
    expect(all[3]).toMatchObject({ seq: 4, action: 'verified', actor: 'tester', object: { kind: 'custody-torn-append', after_seq: 3, bytes: 104, sha256: createHash('sha256').update(torn).digest('hex') } });
    expect(repairTornAppend(f)).toBeNull(); // settled: nothing more to do
  });

  it('the entry that records the cut tail is dated by the case clock (a pinned --as-of or PODTRAIL_AS_OF), never the wall clock', async () => {
    const f = path.join(dir(), 'custody.jsonl');
    await new CustodyAppender(f).append(entries(1, 2));
    appendFileSync(f, Buffer.from('{"action":"requ'));
    repairTornAppend(f, 'tester', createClock('2026-10-20T10:00:00Z'));
    expect(readCustody(f).entries[2]).toMatchObject({ at: '2026-10-20T10:00:00.000Z', object: { kind: 'custody-torn-append', bytes: 15 } });
  });

  it('a broken entry before the tail is still refused, not cut', async () => {
    const d = dir();
    const f = path.join(d, 'custody.jsonl');
    await new CustodyAppender(f).append(entries(1, 3));
    writeFileSync(f, `${readFileSync(f, 'utf8').replace('GET /object/2', 'GET /object/X')}{"seq":4`);
    expect(() => repairTornAppend(f)).toThrow(/refusing to settle its interrupted append:\n {2}custody entry 3: prev hash does not match entry 2/);
    expect(readFileSync(f, 'utf8').endsWith('{"seq":4')).toBe(true); // left as it was
  });

  it('the next appender (the next run) settles it before appending', async () => {
    const d = dir();
    const f = path.join(d, 'custody.jsonl');
    await new CustodyAppender(f).append(entries(1, 2));
    const size = readFileSync(f).length;
    await new CustodyAppender(f).append(entries(3, 4));
    truncateSync(f, size + 100); // the second batch cut mid-way
    await new CustodyAppender(f).append(entries(10, 1));
    const { entries: all, lines } = readCustody(f);
    expect(verifyChain(lines)).toEqual([]);
    expect(all.map((e) => e.object['kind'])).toEqual(['request', 'request', 'custody-torn-append', 'request']);
  });

  it('every command that opens the case settles it first (here a query), and the case stays whole', async () => {
    const caseDir = newCase();
    const p = casePaths(caseDir);
    const inputs = path.join(caseDir, 'inputs');
    mkdirSync(inputs, { recursive: true });
    writeFileSync(path.join(inputs, 'a.json'), tetragonLines(3).join('\n') + '\n');
    await ingest(caseDir, [path.join(inputs, 'a.json')]);
    const before = readCustody(p.custody).lines.length;
    appendFileSync(p.custody, '{"action":"collected","actor":"t');
    expect(await query(caseDir, 'select count(*)::INT as n from evidence_files')).toEqual([{ n: 1 }]);
    const { entries: all, lines } = readCustody(p.custody);
    expect(verifyChain(lines)).toEqual([]);
    expect(lines).toHaveLength(before + 1);
    expect(all[before]!.object['kind']).toBe('custody-torn-append');
  });
});
