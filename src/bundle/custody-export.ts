import { IntegrityError } from '../core/errors.js';
import { headHash, readCustody, verifyChain, type CustodyEntry } from '../custody/custody-log.js';
import { uncoveredInputs, type CoveredInput } from '../custody/coverage.js';

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

/**
 * The bundle's custody.jsonl text and its head hash. Refused (exit 4) when the chain is broken or
 * when it does not cover every input of the catalog (an acquisition entry with the same hash and a
 * landing or refusal entry): a bundle never shows evidence without its chain of custody.
 */
export function bundleCustody(custodyFile: string, catalog: readonly CoveredInput[]): { text: string; head: string; entries: number } {
  const { lines } = readCustody(custodyFile);
  const problems = verifyChain(lines);
  if (problems.length > 0) throw new IntegrityError(`${custodyFile} is broken; refusing to bundle:\n  ${problems.join('\n  ')}`);
  const kept = bundleCustodyLines(lines);
  const uncovered = uncoveredInputs(kept.map((l) => JSON.parse(l) as CustodyEntry), catalog);
  if (uncovered.length > 0) {
    throw new IntegrityError(`${custodyFile} does not cover ${uncovered.length} catalogued input${uncovered.length === 1 ? '' : 's'}; refusing to bundle:\n  ${uncovered.join('\n  ')}`);
  }
  return { text: kept.map((l) => `${l}\n`).join(''), head: headHash(kept), entries: kept.length };
}
