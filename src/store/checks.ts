import type { Store, Row } from './store.js';

/** Whether correlation_runs matches the current catalog, case.yaml and tool version. */
export async function correlationFreshness(store: Store, catalogSha: string, configSha: string, tool: string): Promise<'fresh' | 'stale' | 'missing'> {
  const rows = await store.rows(`select distinct catalog_sha256, config_sha256, tool_version from correlation_runs`).catch(() => [] as Row[]);
  if (rows.length === 0) return 'missing';
  const r = rows[0]!;
  return rows.length === 1 && r['catalog_sha256'] === catalogSha && r['config_sha256'] === configSha && r['tool_version'] === tool ? 'fresh' : 'stale';
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
  await store.run(`create or replace table gap_impacts as select * from chk_impacts`);
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
