import type { HelperDelegate } from 'handlebars';

/**
 * The only classes a template may put in a class attribute from the model: the lanes, marks and
 * boxes of the report's SVG and the severity of a finding. Anything else is a bug (it throws), so no
 * evidence string can ever reach an attribute.
 */
export const REPORT_CLASSES: ReadonlySet<string> = new Set([
  'lane-pod', 'lane-node', 'lane-human', 'lane-outside',
  'mark-proven', 'mark-strong', 'mark-ambiguous', 'mark-unattributed',
  'sig-credential', 'sig-credential-used-outside', 'sig-pod-token-used-outside', 'sig-credentials-read', 'sig-privilege',
  'sig-human-entry', 'sig-secret-read', 'sig-data-read', 'sig-data-write', 'sig-write', 'sig-denied', 'sig-recon', 'sig-external-connect',
  'box-pod', 'box-node', 'box-session', 'box-actions', 'box-outside',
  'sev-credential', 'sev-privilege', 'sev-entry', 'sev-data', 'sev-denied', 'sev-recon', 'sev-egress',
]);

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
  /** A class name from REPORT_CLASSES, or a compile-time-like failure: the only model string allowed in an attribute. */
  cls: (name: unknown): string => {
    if (typeof name !== 'string' || !REPORT_CLASSES.has(name)) throw new Error(`cls: "${String(name)}" is not a report class`);
    return name;
  },
};

export const KNOWN_HELPERS: Record<string, true> = Object.fromEntries(Object.keys(HELPERS).map((k) => [k, true]));
