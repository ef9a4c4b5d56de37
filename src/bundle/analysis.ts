import type { Store } from '../store/store.js';
import type { EvidenceFileRow } from '../ingest/evidence-row.js';
import { CliError } from '../core/errors.js';
import { TOOL_ID } from '../core/version.js';
import { sha256Hex } from '../custody/custody-log.js';

export interface CorrelationRun {
  table_name: string;
  rows: number;
  catalog_sha256: string;
  config_sha256: string;
  tool_version: string;
}

/**
 * The correlation tables must have been computed from this catalog, this case.yaml and this tool
 * version (correlation_runs); otherwise the bundle would present results of other evidence.
 */
export async function freshCorrelation(store: Store, catalog: readonly EvidenceFileRow[], configText: Buffer): Promise<CorrelationRun[]> {
  const want = {
    catalog_sha256: sha256Hex(catalog.map((r) => r.evidence_file_id).sort().join('\n')),
    config_sha256: sha256Hex(configText),
    tool_version: TOOL_ID,
  };
  const t = await store.rows(`select count(*)::INTEGER as n from information_schema.tables where table_name = 'correlation_runs'`);
  const runs = t[0]?.['n'] === 1
    ? ((await store.rows(`select table_name, "rows"::DOUBLE as "rows", catalog_sha256, config_sha256, tool_version from correlation_runs order by table_name`)) as unknown as CorrelationRun[])
    : [];
  if (runs.length === 0) throw new CliError('the case has not been correlated: run podtrail correlate CASE (or podtrail run CASE)');
  const stale = runs.filter((r) => r.catalog_sha256 !== want.catalog_sha256 || r.config_sha256 !== want.config_sha256 || r.tool_version !== want.tool_version);
  if (stale.length > 0) {
    const why = [
      stale.some((r) => r.catalog_sha256 !== want.catalog_sha256) ? 'evidence was acquired since' : '',
      stale.some((r) => r.config_sha256 !== want.config_sha256) ? 'case.yaml changed since' : '',
      stale.some((r) => r.tool_version !== want.tool_version) ? `it was computed by ${stale[0]!.tool_version}, this is ${TOOL_ID}` : '',
    ].filter(Boolean).join('; ');
    throw new CliError(`the correlation tables are stale (${why}): run podtrail correlate CASE (or podtrail run CASE)`);
  }
  return runs;
}
