import { canonicalJson } from '../core/canonical-json.js';
import { IntegrityError } from '../core/errors.js';
import { appendCustody, headHash, readCustody, verifyChain, type CustodyEntry, type CustodyEntryInput } from '../custody/custody-log.js';

/**
 * The custody log a bundle carries: the case's log up to and including its last entry that is not
 * an export. Export entries after it (this bundle's, earlier bundles' of the same state) are not
 * part of a bundle, so bundling a case twice gives the same bytes. An export followed by more
 * acquisition or analysis stays: a hash chain cannot skip an entry.
 */
export function bundleCustodyLines(lines: readonly string[]): string[] {
  let end = lines.length;
  while (end > 0 && (JSON.parse(lines[end - 1]!) as CustodyEntry).action === 'exported') end--;
  return lines.slice(0, end);
}

/** What the analysis a bundle presents was computed from and produced (hashes and counts). */
export type AnalysisObject = Record<string, unknown>;

/**
 * Records the analysis in the case's custody log once: an 'analyzed' entry is appended unless the
 * log already ends its acquisition and analysis with an 'analyzed' entry of the same object (the
 * same inputs, config, rules, tool and results), in which case nothing changes. So re-bundling an
 * unchanged case, whatever the wall clock, adds no entry and keeps the bundle's bytes.
 */
export function recordAnalysis(custodyFile: string, entry: Omit<CustodyEntryInput, 'action'> & { object: AnalysisObject }): { appended: boolean } {
  const { lines } = readCustody(custodyFile);
  const problems = verifyChain(lines);
  if (problems.length > 0) throw new IntegrityError(`${custodyFile} is broken; refusing to bundle:\n  ${problems.join('\n  ')}`);
  const kept = bundleCustodyLines(lines);
  const last = kept.length > 0 ? (JSON.parse(kept[kept.length - 1]!) as CustodyEntry) : null;
  if (last && last.action === 'analyzed' && canonicalJson(last.object) === canonicalJson(entry.object)) return { appended: false };
  appendCustody(custodyFile, [{ ...entry, action: 'analyzed' }]);
  return { appended: true };
}

/** The bundle's custody.jsonl text and its head hash. */
export function bundleCustody(custodyFile: string): { text: string; head: string; entries: number } {
  const { lines } = readCustody(custodyFile);
  const kept = bundleCustodyLines(lines);
  return { text: kept.map((l) => `${l}\n`).join(''), head: headHash(kept), entries: kept.length };
}
