import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { makeCase } from '../helpers/case.js';
import { expectGoldenFile } from '../helpers/golden.js';
import { casePaths } from '../../src/case/case-paths.js';
import { openCaseStore } from '../../src/store/case-store.js';
import { describeStatement, PARAM_TYPES } from '../../src/store/analyst-query.js';
import type { Store } from '../../src/store/store.js';
import { listHunts, huntParamValues } from '../../src/query/hunts.js';
import { parseHunt } from '../../src/query/hunt-file.js';
import { CaseSession } from '../../src/query/session.js';

const GOLDEN = path.resolve(__dirname, '..', 'golden', 'hunts');
const hunts = listHunts();
let caseDir: string;
let store: Store;
let cleanup: () => void;

beforeAll(async () => {
  const c = makeCase();
  caseDir = c.caseDir;
  cleanup = c.cleanup;
  store = await openCaseStore(casePaths(caseDir), { write: false });
});
afterAll(() => {
  store?.close();
  cleanup?.();
});

/** A valid sample value per declared type, for running a hunt whose parameter has no default. */
const SAMPLE: Record<string, string> = {
  varchar: 'x',
  integer: '1',
  bigint: '1',
  double: '1.5',
  boolean: 'true',
  timestamp: '2026-10-20T08:00:00Z',
  timestamptz: '2026-10-20T08:00:00Z',
  interval: '5 minutes',
};

describe('the hunt library (queries/)', () => {
  it('has at least 15 hunts, each named after its file', () => {
    expect(hunts.length).toBeGreaterThanOrEqual(15);
    for (const h of hunts) expect(path.basename(h.file)).toBe(`${h.name}.sql`);
  });

  it('covers the analyst questions the hunts exist for', () => {
    const names = hunts.map((h) => h.name);
    for (const n of [
      'api-calls-by-pod',
      'pod-credentials',
      'pods-reaching-imds',
      'new-access-keys',
      'exec-then-cloud-calls',
      'pod-tokens-off-pod',
      'unattributed-calls',
      'pod-egress-to-aws',
      'role-assumptions',
      'image-digest-changes',
      'processes-around-event',
      'rejects-by-file',
      'out-of-scope-counts',
      'node-clock-offsets',
      'event-chain',
    ]) {
      expect(names).toContain(n);
    }
  });

  for (const hunt of hunts) {
    describe(hunt.name, () => {
      it('prepares against the schema; declared params are exactly the bound ones, with the declared types', async () => {
        const shape = await describeStatement(store, hunt.sql, { label: hunt.name });
        expect(shape.params.map((p) => p.name).sort()).toEqual(hunt.params.map((p) => p.name).sort());
        for (const p of hunt.params) {
          const seen = shape.params.find((s) => s.name === p.name);
          expect(seen?.type, `$${p.name}: cast it in the SQL ($${p.name}::${PARAM_TYPES[p.type]}) so its type is the declared one`).toBe(PARAM_TYPES[p.type]);
        }
      });

      it('has stable columns (golden columns.json)', async () => {
        const shape = await describeStatement(store, hunt.sql, { label: hunt.name });
        expect(new Set(shape.columns.map((c) => c.name)).size, 'column names are distinct').toBe(shape.columns.length);
        expectGoldenFile(path.join(GOLDEN, `${hunt.name}.columns.json`), JSON.stringify(shape.columns, null, 2) + '\n');
      });

      it('is one SELECT that reads top to bottom: a final CTE with the explicit column list, then select * from final and an order by', () => {
        const lines = hunt.sql.split('\n');
        const finalSelect = lines.map((l, i) => [l, i] as const).filter(([l]) => /^select\b/.test(l)).pop();
        expect(finalSelect, 'a top-level final select').toBeDefined();
        const tail = lines.slice(finalSelect![1]).join('\n');
        expect(tail).toMatch(/^select \* from final\norder by .+/);
        expect(hunt.sql, 'the final CTE lists its columns').toMatch(/\nfinal as \(\n\s*select\s+(?!\*)/);
        expect(hunt.sql).not.toMatch(/\$\{|\{\{/);
        expect(hunt.sql, 'hunts read the public tables only, not internal views or macros').not.toMatch(/\b(int|mart|chk|stg)_[a-z]|\bpt_[a-z_]+\(/);
      });

      it('runs on an empty case with its defaults or sample values (read-only path)', async () => {
        const given: Record<string, string> = {};
        for (const p of hunt.params) if (p.default === undefined) given[p.name] = SAMPLE[p.type]!;
        expect(Object.keys(huntParamValues(hunt, given)).sort()).toEqual(hunt.params.map((p) => p.name).sort());
        const s = await CaseSession.open(caseDir);
        try {
          const r = await s.rows({ hunt: hunt.name, params: given });
          expect(r.rows).toEqual([]);
        } finally {
          s.close();
        }
      });
    });
  }
});

describe('hunt headers', () => {
  const body = 'select 1 as x order by x';
  it('reads name, description and typed params with defaults', () => {
    const h = parseHunt('/q/a-b.sql', `-- name: a-b\n-- description: d\n-- params: $pod varchar, $n integer = 5, $since timestamp = null, $t varchar = 'it''s'\n${body}`);
    expect(h.params).toEqual([
      { name: 'pod', type: 'varchar' },
      { name: 'n', type: 'integer', default: '5' },
      { name: 'since', type: 'timestamp', default: null },
      { name: 't', type: 'varchar', default: "it's" },
    ]);
  });
  it('refuses a name that differs from the file, a missing description, an unknown type, a param declared twice', () => {
    expect(() => parseHunt('/q/a.sql', `-- name: b\n-- description: d\n${body}`)).toThrow(/differs from the file name/);
    expect(() => parseHunt('/q/a.sql', `-- name: a\n${body}`)).toThrow(/description/);
    expect(() => parseHunt('/q/a.sql', `-- name: a\n-- description: d\n-- params: $x text\n${body}`)).toThrow(/unknown type "text"/);
    expect(() => parseHunt('/q/a.sql', `-- name: a\n-- description: d\n-- params: $x varchar, $x integer\n${body}`)).toThrow(/declared twice/);
  });
});
