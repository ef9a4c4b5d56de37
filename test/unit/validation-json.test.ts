/** validation.json's one definition: the reader refuses what the writer would never write, naming each path. */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { findingsOf, readValidation, validationProblems, VALIDATION_SCHEMA, type Validation } from '../../src/case/validation-json.js';
import { tempDir } from '../helpers/case.js';

const finding = (id: string, kind: string) => ({
  finding_id: id,
  kind,
  status: 'gap' as const,
  source: 'tetragon',
  node_name: 'node-a',
  region: null,
  interval: { from: '2026-10-20T09:00:00Z', to: '2026-10-20T09:30:00Z' },
  seconds: 1800,
  value: null,
  detail: null,
  message: `${kind} on node-a`,
  weakens: ['e2', 'e1'],
});

const doc: Validation = {
  schema: VALIDATION_SCHEMA,
  tool: 'podtrail test',
  case: { case_id: 'c', window: { from: '2026-10-20T09:00:00Z', to: '2026-10-20T10:00:00Z', reason: 'r', margin_seconds: 900 }, scope: { namespaces: [] }, clock_tolerance_seconds: 2 },
  config_sha256: 'x',
  catalog_sha256: 'y',
  inputs: [],
  checks: [
    { id: 'sensor-coverage', title: 't', status: 'gap', findings: [finding('f2', 'no-sensor')] },
    { id: 'audit-continuity', title: 't', status: 'gap', findings: [finding('f1', 'audit-silence')] },
  ],
  summary: { checks: {}, findings: {}, gaps: [] },
};

describe('validation.json contract', () => {
  it('a document as podtrail check writes it has no problems; its findings flatten in (check, kind, id) order', () => {
    expect(validationProblems(doc)).toEqual([]);
    expect(findingsOf(doc).map((f) => [f.check_id, f.finding_id, f.interval_from, f.weakens])).toEqual([
      ['audit-continuity', 'f1', '2026-10-20T09:00:00Z', ['e2', 'e1']],
      ['sensor-coverage', 'f2', '2026-10-20T09:00:00Z', ['e2', 'e1']],
    ]);
  });

  it('every problem is named by its JSON path', () => {
    const bad = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
    bad['schema'] = 'other/v9';
    (bad['checks'] as Record<string, unknown>[])[1]!['findings'] = [{ ...finding('f1', 'x'), status: 7, interval: null }];
    expect(validationProblems(bad)).toEqual([
      '$.schema: expected "podtrail.validation/v1", got "other/v9"',
      '$.checks[1].findings[0].status: expected a string',
      '$.checks[1].findings[0].interval: expected {from, to}',
    ]);
    expect(validationProblems([])).toEqual(['$: not a JSON object']);
  });

  it('readValidation refuses a file that is not one, naming the file and the paths', () => {
    const t = tempDir();
    try {
      const file = path.join(t.dir, 'validation.json');
      writeFileSync(file, JSON.stringify({ schema: VALIDATION_SCHEMA, checks: {} }));
      expect(() => readValidation(file)).toThrow(/validation\.json is not a podtrail validation\.json:\n {2}- \$\.case\.window: .*\n {2}- \$\.checks: expected a list/);
      writeFileSync(file, JSON.stringify(doc));
      expect(readValidation(file).value.checks).toHaveLength(2);
    } finally {
      t.cleanup();
    }
  });
});
