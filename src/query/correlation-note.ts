import { readFileSync } from 'node:fs';
import type { CasePaths } from '../case/case-paths.js';
import { correlationFingerprint } from '../correlate/freshness.js';
import { readEvidenceFiles } from '../store/catalog.js';
import { correlationRuns } from '../store/checks.js';
import type { Store } from '../store/store.js';

/**
 * A line for stderr when the correlation tables do not describe the evidence an analyst queries:
 * computed before evidence was acquired, before case.yaml changed, or by another tool version.
 * Null when they are current, or when the case was never correlated (the tables are empty).
 */
export async function correlationNote(store: Store, p: CasePaths, caseDir: string): Promise<string | null> {
  const catalog = await readEvidenceFiles(store, p.lake);
  const runs = await correlationRuns(store);
  const again = `run podtrail correlate ${caseDir}`;
  if (runs.length === 0) return null;
  const want = correlationFingerprint(catalog, readFileSync(p.config));
  const why = [
    runs.some((r) => r.catalog_sha256 !== want.catalog_sha256) ? 'evidence was acquired since' : '',
    runs.some((r) => r.config_sha256 !== want.config_sha256) ? 'case.yaml changed since' : '',
    runs.some((r) => r.tool_version !== want.tool_version) ? `computed by ${runs.find((r) => r.tool_version !== want.tool_version)!.tool_version}, this is ${want.tool_version}` : '',
  ].filter(Boolean);
  return why.length === 0 ? null : `note: the correlation tables are older than the evidence (${why.join('; ')}): they do not cover it (${again})`;
}
