import type { Store } from '../store/store.js';
import { replaceTableRows } from '../store/replace-table.js';
import { TRAIL_VALIDATION_TABLE } from '../lake/trail-integrity-schema.js';
import { trailInputFromCase } from './trail-from-case.js';
import { validateTrail } from './validate-trail.js';
import type { TrailVerdict } from './trail-input.js';

export interface TrailSummary {
  digests: Record<string, number>;
  logs: Record<string, number>;
  gaps: number;
  verdicts: TrailVerdict[];
}

export function summarize(verdicts: TrailVerdict[]): TrailSummary {
  const digests: Record<string, number> = {};
  const logs: Record<string, number> = {};
  let gaps = 0;
  for (const v of verdicts) {
    if (v.object_kind === 'gap') gaps++;
    else if (v.object_kind === 'digest') digests[v.status] = (digests[v.status] ?? 0) + 1;
    else logs[v.status] = (logs[v.status] ?? 0) + 1;
  }
  return { digests, logs, gaps, verdicts };
}

/** One line: "CloudTrail digests: 6 valid, 1 INVALID; log files: 12 valid, 1 UNREFERENCED; 1 chain gap". */
export function summaryText(s: TrailSummary): string {
  const part = (m: Record<string, number>): string =>
    Object.entries(m)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, n]) => `${n} ${k}`)
      .join(', ') || 'none';
  return `CloudTrail digests: ${part(s.digests)}; log files: ${part(s.logs)}${s.gaps ? `; ${s.gaps} chain ${s.gaps === 1 ? 'gap' : 'gaps'}` : ''}`;
}

/** Validates the case's trail files and replaces the cloudtrail_validation table with the verdicts. */
export async function materializeTrailValidation(store: Store, tmpDir: string): Promise<TrailSummary> {
  const verdicts = validateTrail(await trailInputFromCase(store));
  await replaceTableRows(store, TRAIL_VALIDATION_TABLE, verdicts, tmpDir);
  return summarize(verdicts);
}

/** Validates the case's trail files without writing anything (ingest's summary). */
export async function validateCaseTrail(store: Store): Promise<TrailSummary> {
  return summarize(validateTrail(await trailInputFromCase(store)));
}
