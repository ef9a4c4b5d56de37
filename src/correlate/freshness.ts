import type { EvidenceFileRow } from '../lake/evidence-file-row.js';
import type { Store } from '../store/store.js';
import { correlationRuns } from '../store/checks.js';
import { CliError } from '../core/errors.js';
import { TOOL_ID } from '../core/version.js';
import { sha256Hex } from '../custody/custody-log.js';

/** What correlation tables are computed from: recorded by correlate, required by check and bundle. */
export interface CorrelationFingerprint {
  /** sha256 of the sorted evidence file ids, one per line. */
  catalog_sha256: string;
  /** sha256 of case.yaml's bytes. */
  config_sha256: string;
  tool_version: string;
}

export function correlationFingerprint(catalog: readonly Pick<EvidenceFileRow, 'evidence_file_id'>[], configText: Buffer | string): CorrelationFingerprint {
  return {
    catalog_sha256: sha256Hex(catalog.map((r) => r.evidence_file_id).sort().join('\n')),
    config_sha256: sha256Hex(configText),
    tool_version: TOOL_ID,
  };
}

/**
 * The correlation tables must have been computed from this catalog, this case.yaml and this tool
 * version (correlation_runs); otherwise a check or a bundle would present results of other
 * evidence. Throws, saying what changed and what to run.
 */
export async function requireFreshCorrelation(store: Store, want: CorrelationFingerprint, caseDir: string): Promise<void> {
  const runs = await correlationRuns(store);
  const again = `run podtrail correlate ${caseDir} (or podtrail run ${caseDir})`;
  if (runs.length === 0) throw new CliError(`the case has not been correlated: ${again}`);
  const differs = (k: keyof CorrelationFingerprint): boolean => runs.some((r) => r[k] !== want[k]);
  const why = [
    differs('catalog_sha256') ? 'evidence was acquired since' : '',
    differs('config_sha256') ? 'case.yaml changed since' : '',
    differs('tool_version') ? `it was computed by ${runs.find((r) => r.tool_version !== want.tool_version)!.tool_version}, this is ${want.tool_version}` : '',
  ].filter(Boolean);
  if (why.length > 0) throw new CliError(`the correlation tables are stale (${why.join('; ')}): ${again}`);
}
