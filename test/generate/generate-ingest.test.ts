import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateScenario } from '../../src/generate/generate.js';
import { SCENARIOS } from '../../src/generate/scenarios/index.js';
import { ingestCase } from '../../src/ingest/ingest-case.js';
import { createClock } from '../../src/core/clock.js';
import { tempDir, query } from '../helpers/case.js';

/**
 * Every file a scenario emits ingests into the lake with zero rejects, except the records the
 * scenario breaks on purpose, which truth.json lists: exactly those, at exactly those lines.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((f) => f()));

describe('generated scenarios ingest cleanly', () => {
  for (const s of SCENARIOS) {
    it(`${s.name}: no refused file, rejects = truth.malformed, every record accounted for`, async () => {
      const t = tempDir('podtrail-gen-ingest-');
      cleanups.push(t.cleanup);
      const dir = path.join(t.dir, 'case');
      generateScenario({ scenario: s.name, seed: 5, scale: 0.03, outDir: dir });
      const result = await ingestCase({
        caseDir: dir,
        paths: [path.join(dir, 'inputs')],
        source: null,
        operator: 'test',
        snapshotAt: null,
        clock: createClock('2026-11-29T00:00:00Z'),
        log: () => {},
      });
      const truth = JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8')) as { malformed: { file: string; line: number }[] };
      expect(result.files.filter((f) => f.status === 'refused').map((f) => `${f.origin}: ${f.message}`)).toEqual([]);
      const rejects = await query(
        dir,
        `select e.origin as file, r.line::INT as line, r.reason
           from ingest_rejects as r inner join evidence_files as e using (evidence_file_id)
           order by file, line`,
      );
      const expected = truth.malformed.map((m) => ({ file: m.file, line: m.line })).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
      expect(rejects.map((r) => ({ file: r['file'], line: r['line'] }))).toEqual(expected);
      for (const f of result.files) {
        if (!f.landing) continue;
        const l = f.landing;
        expect(l.landed + l.rejected + l.duplicate + l.outOfWindow, f.origin).toBe(l.total);
      }
      expect(result.landedRecords).toBeGreaterThan(0);
    });
  }
});
