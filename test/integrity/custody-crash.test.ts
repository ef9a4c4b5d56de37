/**
 * Custody after a crash between the catalog commit and the custody log's rename (fault point
 * after-catalog): every command that opens the case settles the pending roll-forward first, so a
 * `run` bundles (and verify checks) a custody log that covers every catalogued input, and a later
 * ingest never rolls the pending log forward over the analysis entries written since.
 */
import { describe, expect, it } from 'vitest';
import { scratch } from './scratch.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ingest, query } from '../helpers/case.js';
import { tetragonLines } from '../helpers/tetragon-lines.js';
import { casePaths } from '../../src/case/case-paths.js';
import { readCustody, verifyChain, extendCustody, type CustodyEntry } from '../../src/custody/custody-log.js';
import { custodyNext, settlePendingCustody } from '../../src/custody/pending.js';
import { runCase } from '../../src/pipeline/run-case.js';
import { verifyBundle } from '../../src/bundle/verify-bundle.js';
import { createClock } from '../../src/core/clock.js';
import { IntegrityError } from '../../src/core/errors.js';
import { appendCustody } from '../../src/custody/custody-log.js';

const { newCase } = scratch();

function input(caseDir: string, name: string, lines: string[]): string {
  const dir = path.join(caseDir, 'inputs');
  mkdirSync(dir, { recursive: true });
  const f = path.join(dir, name);
  writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

async function ingestWithFault(caseDir: string, paths: string[], point: string): Promise<void> {
  process.env['PODTRAIL_FAULT'] = point;
  try {
    await expect(ingest(caseDir, paths)).rejects.toThrow(/injected fault/);
  } finally {
    delete process.env['PODTRAIL_FAULT'];
  }
}

const run = (caseDir: string) => runCase({ caseDir, outDir: path.join(caseDir, 'bundle'), force: true, signer: null, clock: createClock('2026-11-29T01:00:00Z'), operator: 'tester' });

function acquiredIds(lines: string[]): string[] {
  return lines.map((l) => JSON.parse(l) as CustodyEntry).filter((e) => e.action === 'acquired').map((e) => String(e.object['evidence_file_id'])).sort();
}

describe('custody after a crash between the catalog commit and the custody rename', () => {
  it('run completes the roll-forward first: its bundle covers every input and verifies; the next ingest keeps the analysis entries', async () => {
    const caseDir = newCase();
    const p = casePaths(caseDir);
    await ingest(caseDir, [input(caseDir, 'a.json', tetragonLines(3))]);
    await ingestWithFault(caseDir, [input(caseDir, 'b.json', tetragonLines(2, { node: 'node-b' }))], 'after-catalog');
    expect(existsSync(custodyNext(p.custody))).toBe(true);

    const r = await run(caseDir);
    expect(existsSync(custodyNext(p.custody))).toBe(false);
    const bundled = readFileSync(path.join(r.outDir, 'custody.jsonl'), 'utf8').split('\n').filter(Boolean);
    const catalog = (await query(caseDir, 'select evidence_file_id from evidence_files order by 1')).map((x) => String(x['evidence_file_id']));
    expect(catalog).toHaveLength(2);
    expect(acquiredIds(bundled)).toEqual(catalog);
    const v = await verifyBundle(r.outDir);
    expect(v.checks.filter((c) => c.status === 'FAIL')).toEqual([]);

    // the analysis entries run wrote survive the next ingest
    const analyzed = readCustody(p.custody).entries.filter((e) => e.action === 'analyzed').length;
    expect(analyzed).toBe(2);
    await ingest(caseDir, [input(caseDir, 'c.json', tetragonLines(1, { node: 'node-c' }))]);
    const after = readCustody(p.custody);
    expect(verifyChain(after.lines)).toEqual([]);
    expect(after.entries.filter((e) => e.action === 'analyzed')).toHaveLength(analyzed);
    expect(acquiredIds(after.lines)).toHaveLength(3);
  });

  it('a pending log the custody log has moved past is re-chained after the new entries, nothing lost', () => {
    const caseDir = newCase();
    const p = casePaths(caseDir);
    const base = { at: '2026-11-29T00:00:00Z', actor: 't', tool: 'podtrail test' };
    appendCustody(p.custody, [{ ...base, action: 'acquired', purpose: 'first', object: { evidence_file_id: 'a', sha256: 'x', ingest_id: 'i1' } }]);
    const pending = extendCustody(p.custody, [
      { ...base, action: 'acquired', purpose: 'second', object: { evidence_file_id: 'b', sha256: 'y', ingest_id: 'i2' } },
      { ...base, action: 'landed', purpose: 'second landed', object: { evidence_file_id: 'b', ingest_id: 'i2' } },
    ]);
    // an older podtrail appended analysis entries without settling first
    appendCustody(p.custody, [{ ...base, action: 'analyzed', purpose: 'correlation', object: { n: 1 } }]);
    writeFileSync(custodyNext(p.custody), pending.text);
    expect(() => appendCustody(p.custody, [{ ...base, action: 'analyzed', purpose: 'more', object: {} }])).toThrow(IntegrityError);
    const notes = settlePendingCustody(p.custody, new Set(['i1', 'i2']));
    expect(notes.join('\n')).toMatch(/appended after 1 entries/);
    const { entries, lines } = readCustody(p.custody);
    expect(verifyChain(lines)).toEqual([]);
    expect(entries.map((e) => e.purpose)).toEqual(['first', 'correlation', 'second', 'second landed']);
  });

  it('a pending log that does not extend the custody log by its ingest alone is refused, not applied', () => {
    const caseDir = newCase();
    const p = casePaths(caseDir);
    const base = { at: '2026-11-29T00:00:00Z', actor: 't', tool: 'podtrail test' };
    appendCustody(p.custody, [{ ...base, action: 'acquired', purpose: 'first', object: { evidence_file_id: 'a', sha256: 'x', ingest_id: 'i1' } }]);
    const q = casePaths(newCase());
    appendCustody(q.custody, [{ ...base, action: 'acquired', purpose: 'elsewhere', object: { evidence_file_id: 'z', sha256: 'z', ingest_id: 'i0' } }]);
    const pending = extendCustody(q.custody, [{ ...base, action: 'landed', purpose: 'second', object: { evidence_file_id: 'b', ingest_id: 'i2' } }]);
    writeFileSync(custodyNext(p.custody), pending.text);
    expect(() => settlePendingCustody(p.custody, new Set(['i2']))).toThrow(/refusing to complete it/);
    expect(existsSync(custodyNext(p.custody))).toBe(true);
  });

  it('an uncommitted pending log is dropped', async () => {
    const caseDir = newCase();
    const p = casePaths(caseDir);
    await ingest(caseDir, [input(caseDir, 'a.json', tetragonLines(3))]);
    const before = readFileSync(p.custody, 'utf8');
    await ingestWithFault(caseDir, [input(caseDir, 'b.json', tetragonLines(2, { node: 'node-b' }))], 'after-custody-next');
    expect(existsSync(custodyNext(p.custody))).toBe(true);
    expect(await query(caseDir, 'select count(*)::INT as n from evidence_files')).toEqual([{ n: 1 }]);
    expect(existsSync(custodyNext(p.custody))).toBe(false);
    expect(readFileSync(p.custody, 'utf8')).toBe(before);
  });

  it('bundle refuses (exit 4) a custody log that does not cover a catalogued input; verify fails such a bundle', async () => {
    const caseDir = newCase();
    const p = casePaths(caseDir);
    await ingest(caseDir, [input(caseDir, 'a.json', tetragonLines(3))]);
    const r = await run(caseDir);
    // a custody log rewritten without the acquisition entries, chain recomputed
    const kept = readCustody(p.custody).entries.filter((e) => e.action !== 'acquired').map(({ seq: _s, prev: _p, ...e }) => e);
    writeFileSync(p.custody, '');
    appendCustody(p.custody, kept);
    await expect(run(caseDir)).rejects.toMatchObject({ exitCode: 4, message: expect.stringMatching(/does not cover 1 catalogued input/) });

    // the same tampering in a bundle: the chain verifies, the coverage does not
    const bundleCustody = path.join(r.outDir, 'custody.jsonl');
    const lines = readFileSync(bundleCustody, 'utf8').split('\n').filter(Boolean);
    const without = lines.map((l) => JSON.parse(l) as CustodyEntry).filter((e) => e.action !== 'acquired').map(({ seq: _s, prev: _p, ...e }) => e);
    const t = path.join(r.outDir, 'custody.rebuilt');
    appendCustody(t, without);
    writeFileSync(bundleCustody, readFileSync(t));
    const { rmSync } = await import('node:fs');
    rmSync(t);
    const v = await verifyBundle(r.outDir);
    expect(v.checks.find((c) => c.check === 'custody')).toMatchObject({ status: 'FAIL', message: expect.stringMatching(/does not cover manifest input/) });
  });
});
