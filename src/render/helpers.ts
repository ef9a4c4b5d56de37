import type { HelperDelegate } from 'handlebars';

/**
 * Every helper the report templates may call (templates compile with knownHelpersOnly, so an
 * unknown helper is a compile error). Helpers return plain strings, which {{ }} escapes in HTML;
 * numbers are formatted without the host locale.
 */
export const HELPERS: Record<string, HelperDelegate> = {
  /** Joins a list of (already escaped) strings. */
  join: (list: unknown, sep: unknown): string => {
    if (!Array.isArray(list)) throw new Error('join: not a list');
    return list.map((x) => String(x)).join(typeof sep === 'string' ? sep : ', ');
  },
  /** An integer with "," every three digits, whatever the locale. */
  int: (v: unknown): string => {
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n)) throw new Error('int: not a number');
    const [whole, frac] = String(Math.abs(n)).split('.');
    const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return `${n < 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
  },
  /** The word for a count: "file"/"files"; an irregular plural as a third argument ("entry" "entries"). */
  plural: (v: unknown, word: unknown, ...rest: unknown[]): string => {
    const n = typeof v === 'number' ? v : Number(v);
    const many = typeof rest[0] === 'string' ? rest[0] : `${String(word)}s`;
    return n === 1 ? String(word) : many;
  },
};

export const KNOWN_HELPERS: Record<string, true> = Object.fromEntries(Object.keys(HELPERS).map((k) => [k, true]));
