import { parseInstant } from '../core/clock.js';

/**
 * Inventory snapshot instants travel in file names. Accepted (anywhere in the base name, UTC "Z"
 * required): 2026-10-20T09-50-00Z, 2026-10-20T09:50:00Z, 2026-10-20T09-50-00.123Z, 20261020T095000Z.
 * Example: pods-2026-10-20T09-50-00Z.json.
 */
const PATTERNS: { re: RegExp; iso: (m: RegExpExecArray) => string }[] = [
  {
    re: /(\d{4})-(\d{2})-(\d{2})T(\d{2})[-:_](\d{2})[-:_](\d{2})(\.\d{1,9})?Z/,
    iso: (m) => `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}Z`,
  },
  {
    re: /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/,
    iso: (m) => `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`,
  },
];

export const SNAPSHOT_NAME_HELP =
  'put the snapshot instant in the file name (e.g. pods-2026-10-20T09-50-00Z.json) or pass --snapshot-at ISO';

/** The snapshot instant in a file's base name, as ISO UTC, or null. */
export function snapshotFromFileName(baseName: string): string | null {
  for (const p of PATTERNS) {
    const m = p.re.exec(baseName);
    if (m) {
      try {
        return parseInstant(p.iso(m), 'snapshot time in file name').toISOString();
      } catch {
        return null;
      }
    }
  }
  return null;
}
