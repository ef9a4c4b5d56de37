import type { Store } from './store.js';

/** The fingerprint each correlation table was computed from (correlation_runs); none before a correlate. */
export async function correlationRuns(store: Store): Promise<{ table_name: string; catalog_sha256: string; config_sha256: string; tool_version: string }[]> {
  const t = await store.rows(`select count(*)::INTEGER as n from information_schema.tables where table_name = 'correlation_runs'`);
  if (t[0]?.['n'] !== 1) return [];
  const rows = await store.rows(`select table_name, catalog_sha256, config_sha256, tool_version from correlation_runs order by table_name`);
  return rows.map((r) => ({
    table_name: String(r['table_name']),
    catalog_sha256: String(r['catalog_sha256']),
    config_sha256: String(r['config_sha256']),
    tool_version: String(r['tool_version']),
  }));
}

export interface FindingRow {
  check_id: string;
  kind: string;
  finding_id: string;
  status: 'ok' | 'gap' | 'unknown';
  source: string | null;
  node_name: string | null;
  region: string | null;
  interval_from: string | null;
  interval_to: string | null;
  seconds: number | null;
  value: number | null;
  detail: unknown;
  message: string;
}

/** Materializes gap_findings and gap_impacts from the chk_ views and returns them. */
export async function runChecks(store: Store): Promise<{ findings: FindingRow[]; impacts: { finding_id: string; event_id: string }[]; counts: Record<string, number> }> {
  await store.run(`create or replace table gap_findings as select * from chk_findings`);
  // chk_impacts reads chk_findings: the findings just made shadow the view, so it is not computed twice
  await store.run(`create or replace temp table chk_findings as select * from gap_findings`);
  try {
    await store.run(`create or replace table gap_impacts as select * from chk_impacts`);
  } finally {
    await store.run(`drop table if exists temp.chk_findings`);
  }
  const findings = (
    await store.rows(`select check_id, kind, finding_id, status, source, node_name, region,
        strftime(interval_from, '%Y-%m-%dT%H:%M:%S.%fZ') as interval_from,
        strftime(interval_to, '%Y-%m-%dT%H:%M:%S.%fZ') as interval_to,
        seconds::DOUBLE as seconds, value::DOUBLE as value, detail::VARCHAR as detail, message
      from gap_findings order by check_id, kind, finding_id`)
  ).map((r) => ({ ...r, detail: JSON.parse(String(r['detail'] ?? 'null')) as unknown }) as unknown as FindingRow);
  const impacts = (await store.rows(`select finding_id, event_id from gap_impacts order by finding_id, event_id`)) as { finding_id: string; event_id: string }[];
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.status] = (counts[f.status] ?? 0) + 1;
  return { findings, impacts, counts };
}
