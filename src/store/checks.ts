import type { Store } from './store.js';

/** One row of correlation_runs: what a correlation table was computed from. */
export interface CorrelationRun {
  table_name: string;
  catalog_sha256: string;
  config_sha256: string;
  tool_version: string;
}

/** The fingerprint each correlation table was computed from (correlation_runs); none before a correlate. */
export async function correlationRuns(store: Store): Promise<CorrelationRun[]> {
  const t = await store.rows<{ n: number }>(`select count(*)::INTEGER as n from information_schema.tables where table_name = 'correlation_runs'`);
  if (t[0]?.n !== 1) return [];
  return store.rows<CorrelationRun>(`select table_name, catalog_sha256, config_sha256, tool_version from correlation_runs order by table_name`);
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
/** One row of gap_impacts: an event a finding bears on. */
export interface ImpactRow {
  finding_id: string;
  event_id: string;
}

export async function runChecks(store: Store): Promise<{ findings: FindingRow[]; impacts: ImpactRow[]; counts: Record<string, number> }> {
  await store.run(`create or replace table gap_findings as select * from chk_findings`);
  // chk_impacts reads chk_findings: the findings just made shadow the view, so it is not computed twice
  await store.run(`create or replace temp table chk_findings as select * from gap_findings`);
  try {
    await store.run(`create or replace table gap_impacts as select * from chk_impacts`);
  } finally {
    await store.run(`drop table if exists temp.chk_findings`);
  }
  const findings = (
    await store.rows<Omit<FindingRow, 'detail'> & { detail: string | null }>(`select check_id, kind, finding_id, status, source, node_name, region,
        strftime(interval_from, '%Y-%m-%dT%H:%M:%S.%fZ') as interval_from,
        strftime(interval_to, '%Y-%m-%dT%H:%M:%S.%fZ') as interval_to,
        seconds::DOUBLE as seconds, value::DOUBLE as value, detail::VARCHAR as detail, message
      from gap_findings order by check_id, kind, finding_id`)
  ).map((r): FindingRow => ({ ...r, detail: JSON.parse(r.detail ?? 'null') as unknown }));
  const impacts = await store.rows<ImpactRow>(`select finding_id, event_id from gap_impacts order by finding_id, event_id`);
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.status] = (counts[f.status] ?? 0) + 1;
  return { findings, impacts, counts };
}
