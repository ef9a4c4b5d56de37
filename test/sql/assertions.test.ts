/**
 * SQL assertions (test/sql/assertions/*.sql): each file is one
 * SELECT returning the rows that break an invariant, so 0 rows passes. Every file runs against
 * four cases built once: the generated `mixed` scenario (the richest: five incidents, rotated
 * audit logs, lookup-events copies), the generated `churn` scenario (names and IPs reused), the
 * project's own hand-made fixtures/ (every source, so a bare clone checks real-format shapes too),
 * and the real-format samples of ../shared/samples ingested in place with a wide window (skipped,
 * with the run's one notice, when the corpus is absent). Each case is correlated and checked
 * (podtrail check) first, so the check tables are asserted too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildGeneratedCase } from '../helpers/generated-case.js';
import { AS_OF, ingest, makeCase, tempDir } from '../helpers/case.js';
import { HAVE_SAMPLES, SAMPLES } from '../helpers/samples.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { checkCase } from '../../src/check/check-case.js';
import { CaseSession } from '../../src/query/session.js';
import { openStore } from '../../src/store/open-store.js';
import { allTableDocs } from '../../src/lake/schema-doc.js';
import { keySql } from '../helpers/key-sql.js';
import { createClock } from '../../src/core/clock.js';

const DIR = path.join(__dirname, 'assertions');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.sql'))
  .sort();
const text = (f: string): string => readFileSync(path.join(DIR, f), 'utf8');

const ALL_CASES = ['mixed', 'churn', 'fixtures', 'samples'] as const;
type CaseName = (typeof ALL_CASES)[number];
const CASES: CaseName[] = ALL_CASES.filter((c) => c !== 'samples' || HAVE_SAMPLES);
const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures');
/** The fixture folders that hold evidence (fixtures/keys holds the test signing key, not evidence). */
const FIXTURE_SOURCES = ['cloudtrail', 'falco', 'inventory', 'kube-audit'].map((d) => path.join(FIXTURES, d));
const sessions = new Map<CaseName, CaseSession>();
const cleanups: (() => void)[] = [];

/** A case of real-format files ingested in place with a wide window: the samples corpus, or fixtures/. */
async function filesCase(paths: string[]): Promise<string> {
  const c = makeCase({ from: '2010-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' });
  cleanups.push(c.cleanup);
  await ingest(c.caseDir, paths);
  await correlateCase(c.caseDir);
  await checkCase(c.caseDir, () => {}, createClock(AS_OF));
  return c.caseDir;
}

async function generatedCase(scenario: string, seed: number): Promise<string> {
  const g = await buildGeneratedCase(scenario, seed, 0.05);
  cleanups.push(g.cleanup);
  await checkCase(g.caseDir, () => {}, createClock(AS_OF));
  return g.caseDir;
}

beforeAll(async () => {
  // built side by side: DuckDB works on its own threads, and much of the rest is file I/O
  const build: Record<CaseName, () => Promise<string>> = {
    mixed: () => generatedCase('mixed', 7),
    churn: () => generatedCase('churn', 3),
    fixtures: () => filesCase(FIXTURE_SOURCES),
    samples: () => filesCase([SAMPLES]),
  };
  const dirs = await Promise.all(CASES.map((name) => build[name]()));
  for (const [i, name] of CASES.entries()) sessions.set(name, await CaseSession.open(dirs[i]!));
}, 300_000);

afterAll(() => {
  for (const s of sessions.values()) s.close();
  for (const c of cleanups) c();
});

async function rows(name: CaseName, sql: string): Promise<Record<string, unknown>[]> {
  const r = await sessions.get(name)!.rows({ sql, params: {}, label: name });
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])));
}

describe('the assertion files', () => {
  it('exist', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(8);
  });

  it('each opens with a header comment saying which invariant it guards', () => {
    for (const f of FILES) {
      const header = text(f)
        .split('\n')
        .filter((_, i, lines) => lines.slice(0, i + 1).every((l) => l.startsWith('--')))
        .join('\n');
      expect(header, f).toMatch(/^-- invariant: \S/);
      expect(header.length, `${f}: the header explains the invariant`).toBeGreaterThan(120);
    }
  });

  it('each is exactly one SELECT statement', async () => {
    const { dir, cleanup } = tempDir();
    const store = await openStore({ database: ':memory:', allowedDirectories: [dir] });
    try {
      for (const f of FILES) {
        const extracted = await store.conn.extractStatements(text(f));
        expect(extracted.count, `${f}: statements`).toBe(1);
        // json_serialize_sql serialises SELECT statements only: anything else is an error
        const tree = await store.rows('select json_serialize_sql($sql::VARCHAR)::VARCHAR as tree', { sql: text(f) });
        const parsed = JSON.parse(String(tree[0]!['tree'])) as { error: boolean; error_message?: string };
        expect(parsed.error, `${f}: ${parsed.error_message ?? ''}`).toBe(false);
      }
    } finally {
      store.close();
      cleanup();
    }
  });
});

describe('the cases exercise what the assertions guard', () => {
  // an assertion that finds nothing to check would pass vacuously
  const counts = (name: CaseName) =>
    rows(
      name,
      `select
        (select count(*) from cloud_events)::INTEGER as cloud_events,
        (select count(*) from attributions)::INTEGER as attributions,
        (select count(*) from attributions where confidence = 'proven')::INTEGER as proven,
        (select count(*) from attributions where confidence = 'strong')::INTEGER as strong,
        (select count(*) from attributions where confidence = 'ambiguous')::INTEGER as ambiguous,
        (select count(*) from attributions where json_array_length(evidence -> 'runtime') > 0)::INTEGER as runtime_cited,
        (select count(*) from attributions where json_array_length(evidence -> 'inventory') > 0)::INTEGER as inventory_cited,
        (select count(*) from pod_lifecycle)::INTEGER as pods,
        (select count(*) from gap_findings where status = 'gap')::INTEGER as gaps,
        (select count(*) from gap_impacts)::INTEGER as impacts,
        (select count(*) from kube_attributions)::INTEGER as kube,
        (select count(*) from kube_attributions where off_pod)::INTEGER as off_pod,
        (select count(*) from pod_human_actions)::INTEGER as human`,
    ).then((r) => r[0]!);

  it('mixed: every confidence but unattributed, cited runtime and inventory rows, gaps that weaken calls, off-pod tokens, human actions', async () => {
    const c = await counts('mixed');
    for (const k of ['proven', 'strong', 'ambiguous', 'runtime_cited', 'inventory_cited', 'impacts', 'off_pod', 'human']) expect(c[k], k).toBeGreaterThan(0);
    expect(c['attributions']).toBe(c['cloud_events']);
  });

  it('churn: pods and attributions in numbers', async () => {
    const c = await counts('churn');
    expect(c['pods']).toBeGreaterThan(20);
    expect(c['proven']).toBeGreaterThan(0);
    expect(c['kube']).toBeGreaterThan(0);
  });

  it('fixtures: the hand-made real-format events attribute, and the audit fixtures yield bound-token requests', async () => {
    const c = await counts('fixtures');
    expect(c['attributions']).toBeGreaterThan(0);
    expect(c['kube']).toBeGreaterThan(0);
    expect(c['gaps']).toBeGreaterThan(0);
  });

  it.skipIf(!HAVE_SAMPLES)('samples: the real-format events attribute, and the audit sample yields bound-token requests', async () => {
    const c = await counts('samples');
    expect(c['attributions']).toBeGreaterThan(0);
    expect(c['kube']).toBeGreaterThan(0);
    expect(c['gaps']).toBeGreaterThan(0);
  });
});

describe.each(CASES)('every assertion holds on the %s case', (name) => {
  it.each(FILES)('%s returns no rows', async (file) => {
    const failing = await rows(name, text(file));
    expect(failing.length, `${file} on ${name}: first failing rows:\n${failing.slice(0, 10).map((r) => JSON.stringify(r)).join('\n')}`).toBe(0);
  });
});

describe.each(CASES)('every declared key is unique and never NULL on the %s case', (name) => {
  const tables = allTableDocs();
  it('every table declares a key', () => {
    expect(tables.filter((t) => t.key.length === 0).map((t) => t.name)).toEqual([]);
  });
  it.each(tables.map((t) => [t.name, t] as const))('%s', async (_, t) => {
    const failing = await rows(name, keySql(t));
    expect(failing, `${t.name} (${t.key.join(', ')}) on ${name}`).toEqual([]);
  });
});
