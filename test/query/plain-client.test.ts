import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../helpers/case.js';
import { buildGeneratedCase, type Truth } from '../helpers/generated-case.js';
import { allTableDocs } from '../../src/lake/schema-doc.js';
import { queryCase } from '../../src/query/query-case.js';
import { sqlReferences, sqlTreeFiles } from '../../src/store/lake-views.js';

/**
 * The case database opens in a plain DuckDB client: a separate Node process that loads only
 * @duckdb/node-api (nothing of podtrail), opens CASE/case.duckdb read-only from an unrelated
 * working directory, and reads every table and view, the macros the views use included.
 */

/**
 * The attribution chain's step views (int_attr__* and every view that reads one): correlate
 * materializes them one by one; read directly, DuckDB binds each view it reads again at every
 * reference, and the deepest take minutes (docs/analyst-sql.md). The client finds them in the
 * catalog; it counts every other table and view.
 */
const ATTRIBUTION_CHAIN = ((): string[] => {
  const name = (f: string): string => path.basename(f, '.sql');
  const reads = sqlReferences(sqlTreeFiles());
  const chain = new Set([...reads.keys()].map(name).filter((n) => n.startsWith('int_attr__')));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [f, deps] of reads) if (!chain.has(name(f)) && deps.some((d) => chain.has(name(d)))) (chain.add(name(f)), (grew = true));
  }
  return [...chain].sort();
})();

let caseDir: string;
let truth: Truth;
let cleanup: () => void;
let client: Record<string, unknown>;

const CLIENT = `
import { DuckDBInstance } from ${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('@duckdb/node-api')).href)};
const [db, tables, chain] = [process.argv[2], JSON.parse(process.argv[3]), new Set(JSON.parse(process.argv[4]))];
const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
const conn = await instance.connect();
const rows = async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJson();
const out = { cwd: process.cwd(), counts: {}, errors: {} };
const objects = await rows("select table_name, table_type from information_schema.tables where table_schema = 'main' order by table_name");
out.objects = objects.map((o) => o.table_name + ' ' + o.table_type);
for (const name of [...new Set([...tables, ...objects.map((o) => o.table_name)])]) {
  if (chain.has(name)) continue;
  try {
    out.counts[name] = Number((await rows('select count(*) as n from "' + name + '"'))[0].n);
  } catch (e) {
    out.errors[name] = e.message;
  }
}
out.macro = (await rows("select pt_ipv4_int('10.0.1.20') as n"))[0].n;
out.incident = await rows("select event_id, confidence, pod_uid from attributions where confidence in ('proven', 'strong') order by event_id");
out.offPod = await rows("select audit_id, pod_uid from kube_attributions where off_pod order by audit_id");
process.stdout.write(JSON.stringify(out));
`;

beforeAll(async () => {
  ({ caseDir, truth, cleanup } = await buildGeneratedCase('irsa-exfil', 3, 0.05));
  const elsewhere = tempDir('podtrail-client-');
  const script = path.join(elsewhere.dir, 'client.mjs');
  writeFileSync(script, CLIENT);
  const r = spawnSync(process.execPath, [script, path.join(caseDir, 'case.duckdb'), JSON.stringify(allTableDocs().map((t) => t.name)), JSON.stringify(ATTRIBUTION_CHAIN)], {
    cwd: elsewhere.dir,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', TZ: 'America/Sao_Paulo' },
  });
  elsewhere.cleanup();
  if (r.status !== 0) throw new Error(`plain client failed: ${r.stderr}`);
  client = JSON.parse(r.stdout) as Record<string, unknown>;
}, 600_000);
afterAll(() => cleanup?.());

describe('case.duckdb in a plain DuckDB client (read-only, another process, another directory)', () => {
  it('ran outside the case and outside the repository', () => {
    expect(String(client['cwd'])).not.toContain(caseDir);
    expect(String(client['cwd'])).not.toContain(process.cwd());
  });

  it('resolves every table and view of the case, internal views and macros included', () => {
    expect(client['errors']).toEqual({});
    const counts = client['counts'] as Record<string, number>;
    for (const t of allTableDocs()) expect(Object.keys(counts)).toContain(t.name);
    for (const name of ['evidence_files', 'runtime_events', 'kube_audit_events', 'k8s_pods', 'cloud_events', 'pod_lifecycle', 'credential_sessions', 'attributions', 'kube_attributions', 'case_settings', 'case_endpoints']) {
      expect(counts[name], name).toBeGreaterThan(0);
    }
    expect((client['objects'] as string[]).some((o) => /^int_\w+ VIEW$/.test(o))).toBe(true);
    // the attribution chain's views are in the catalog (not counted: see ATTRIBUTION_CHAIN)
    expect(ATTRIBUTION_CHAIN).toContain('mart_attributions');
    for (const v of ATTRIBUTION_CHAIN) expect(client['objects'] as string[]).toContain(`${v} VIEW`);
    expect(Object.keys(counts).filter((n) => ATTRIBUTION_CHAIN.includes(n))).toEqual([]);
    expect(client['macro']).toBe('167772436');
  });

  it('sees the same rows podtrail sees', async () => {
    const counts = client['counts'] as Record<string, number>;
    for (const name of ['runtime_events', 'cloud_events', 'attributions', 'kube_attributions']) {
      const r = await queryCase(caseDir, `select count(*) as n from ${name}`, {});
      expect(String(counts[name])).toBe(r.rows[0]![0]);
    }
  });

  it('finds the incident: attributions name the pod, kube_attributions the token used off the pod', () => {
    const inc = truth.incidents[0]!;
    const attributed = (client['incident'] as { event_id: string; pod_uid: string }[]).filter((r) => inc.cloud_event_ids.includes(r.event_id));
    expect(attributed.length).toBeGreaterThan(0);
    for (const r of attributed) expect(r.pod_uid).toBe(inc.pod_uid);
    expect((client['offPod'] as { audit_id: string }[]).map((r) => r.audit_id)).toEqual(truth.kube_requests.filter((k) => k.off_pod).map((k) => k.audit_id).sort());
  });
});
