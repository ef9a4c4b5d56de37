/**
 * Evidence strings are attacker-controlled (command lines, user agents, object names). Before any
 * template sees them they are made inert here; the HTML template's {{ }} then escapes markup, and
 * the Markdown report gets every value as a code span (no HTML, links, emphasis or tables inside).
 */

/**
 * Characters that change how text is displayed or parsed without being visible: C0 controls
 * (except \n and \t when kept), DEL and C1 controls, line/paragraph separators, bidirectional
 * overrides and isolates ("Trojan Source"), zero-width marks and the BOM, lone surrogates.
 */
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const INVISIBLE_AND_LINES = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const visible = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Shows invisible and control characters as \uXXXX text; keeps \n and \t unless told otherwise. */
export function neutralize(s: string, keepLines = true): string {
  return s.replace(keepLines ? INVISIBLE : INVISIBLE_AND_LINES, visible);
}

/**
 * A Markdown code span holding s literally (CommonMark 6.1): a fence longer than any backtick run
 * inside, padded when s starts or ends with a backtick or space; every control character shown as
 * \uXXXX (a line break would end a table row); "|" escaped for GFM tables. Empty stays empty.
 */
export function mdCode(raw: string): string {
  const s = neutralize(raw, false).replace(/\|/g, '\\|');
  if (s.length === 0) return '';
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(s) ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** Applies f to every string in a JSON-like value (arrays and plain objects), leaving the rest. */
export function mapStrings<T>(value: T, f: (s: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return f(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
