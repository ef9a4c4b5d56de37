import type { CustodyEntry } from './custody-log.js';

/** An input as a catalog row or a bundle manifest lists it. */
export interface CoveredInput {
  evidence_file_id: string;
  sha256: string;
}

/**
 * Inputs the custody entries do not cover: no 'acquired' entry with the same evidence id and
 * sha256, or no 'landed' / 'refused' entry saying what became of it. A bundle whose custody log
 * does not cover every input it lists shows evidence without its chain of custody.
 */
export function uncoveredInputs(entries: readonly CustodyEntry[], inputs: readonly CoveredInput[]): string[] {
  const acquired = new Map<string, Set<string>>();
  const settled = new Set<string>();
  for (const e of entries) {
    const id = e.object?.['evidence_file_id'];
    if (typeof id !== 'string') continue;
    if (e.action === 'acquired') {
      const shas = acquired.get(id) ?? new Set<string>();
      shas.add(String(e.object['sha256']));
      acquired.set(id, shas);
    } else if (e.action === 'landed' || e.action === 'refused') settled.add(id);
  }
  const out: string[] = [];
  for (const i of inputs) {
    if (!acquired.get(i.evidence_file_id)?.has(i.sha256)) out.push(`${i.evidence_file_id}: no acquisition entry with sha256 ${i.sha256}`);
    else if (!settled.has(i.evidence_file_id)) out.push(`${i.evidence_file_id}: acquired, but no landing or refusal entry`);
  }
  return out;
}
