/**
 * The bad-input corpus: files an attacker or a clumsy operator feeds an ingest (test/corpus/bad-inputs,
 * expectations in bad-inputs.expected.json) plus inputs made at run time (generated-inputs.ts:
 * large, binary, links and special files). All are ingested in one call into one case; each must
 * end exactly as expected (status, source, records landed, rejects by reason, refusal), nothing
 * else may happen to the case (caseProblems), and the case must still run, bundle and verify with
 * findings that name no local path. Later changes must keep this passing; it runs in seconds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { makeCase, ingest, tempDir } from '../helpers/case.js';
import type { IngestResult } from '../../src/ingest/ingest-case.js';
import { runCase } from '../../src/pipeline/run-case.js';
import { verifyBundle } from '../../src/bundle/verify-bundle.js';
import { createClock } from '../../src/core/clock.js';
import { caseProblems } from '../integrity/invariants.js';
import { canMakeDevices, deviceInput, GENERATED } from './generated-inputs.js';
import type { Expectation } from './expectation.js';

const STATIC_DIR = path.join(__dirname, 'bad-inputs');
const STATIC: Record<string, Expectation> = JSON.parse(readFileSync(path.join(__dirname, 'bad-inputs.expected.json'), 'utf8'));

/** Differences between what happened to one input and what must. */
function mismatches(name: string, e: Expectation, outcomes: IngestResult['files']): string[] {
  const found = outcomes.filter((f) => path.basename(f.origin) === name);
  if (found.length !== 1) return [`${name}: ${found.length} outcomes`];
  const f = found[0]!;
  const out: string[] = [];
  const eq = (what: string, got: unknown, want: unknown): void => {
    if (want !== undefined && JSON.stringify(got) !== JSON.stringify(want)) out.push(`${name}: ${what} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)} (${f.message})`);
  };
  eq('status', f.status, e.status);
  eq('source', f.source, e.source);
  eq('landed', f.landing?.landed ?? 0, e.landed);
  eq('duplicates', f.landing?.duplicate ?? 0, e.duplicates);
  eq('out of window', f.landing?.outOfWindow ?? 0, e.outOfWindow);
  if (e.rejects !== undefined) {
    const got: Record<string, number> = {};
    for (const r of f.landing?.rejects ?? []) got[r.reason] = (got[r.reason] ?? 0) + 1;
    const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort());
    eq('rejects', sorted(got), sorted(e.rejects));
  }
  if (e.refusal !== undefined && !new RegExp(e.refusal).test(f.message)) out.push(`${name}: refusal "${f.message}" does not match /${e.refusal}/`);
  return out;
}

const tally = { tried: 0, held: 0 };
afterAll(() => {
  // the figures the corpus reports
  console.log(`bad inputs: ${tally.tried} tried, ${tally.held} held`);
});

describe('bad-input corpus', () => {
  it('every bad input ends as expected, the case stays whole, runs, bundles and verifies', async () => {
    const c = makeCase();
    const gen = tempDir('podtrail-corpus-');
    const outside = tempDir('podtrail-outside-');
    const undo: (() => void)[] = [];
    try {
      const dir = path.join(gen.dir, 'generated');
      mkdirSync(dir);
      const generated = [...GENERATED, ...(canMakeDevices(gen.dir) ? [deviceInput()] : [])];
      for (const g of generated) {
        const u = g.make(dir, outside.dir);
        if (u) undo.push(u);
      }
      const expected: Record<string, Expectation> = { ...STATIC };
      for (const g of generated) Object.assign(expected, g.expects);
      // every static file has an expectation, and every expectation an input
      expect(readdirSync(STATIC_DIR).filter((f) => !(f in STATIC))).toEqual([]);

      const r = await ingest(c.caseDir, [STATIC_DIR, dir]);
      const failures: string[] = [];
      for (const [name, e] of Object.entries(expected)) {
        tally.tried++;
        const m = mismatches(name, e, r.files);
        if (m.length === 0) tally.held++;
        failures.push(...m);
      }
      const unexpected = r.files.filter((f) => !(path.basename(f.origin) in expected)).map((f) => `${f.origin}: ${f.status} ${f.message}`);
      expect(unexpected).toEqual([]);
      expect(failures).toEqual([]);
      expect(await caseProblems(c.caseDir)).toEqual([]);

      const b = await runCase({ caseDir: c.caseDir, outDir: path.join(c.caseDir, 'bundle'), signer: null, clock: createClock('2026-11-29T01:00:00Z'), operator: 'tester' });
      const v = await verifyBundle(b.outDir);
      expect(v.checks.filter((x) => x.status === 'FAIL')).toEqual([]);
      // findings and the report name inputs by evidence id and file name, never by a local path
      const validation = JSON.parse(readFileSync(path.join(b.outDir, 'validation.json'), 'utf8')) as { checks: unknown };
      for (const local of [STATIC_DIR, gen.dir]) {
        expect(JSON.stringify(validation.checks)).not.toContain(local);
        expect(readFileSync(path.join(b.outDir, 'report.md'), 'utf8')).not.toContain(local);
      }
    } finally {
      for (const u of undo) u();
      outside.cleanup();
      gen.cleanup();
      c.cleanup();
    }
  });
});
