import { neutralize } from '../render/escape.js';

/**
 * The one gate between attacker-controlled text (evidence values, file names, DuckDB messages that
 * quote them) and a terminal. Control characters (ESC and the rest of C0, DEL, C1 such as CSI),
 * bidirectional overrides and isolates, zero-width marks and lone surrogates are shown as \uXXXX
 * text, so no value can move the cursor, recolour, retitle the window, hide itself or forge a line.
 */

/** For a value printed inside a line (a cell, a file name): every control character escaped, line breaks too. */
export function termLine(s: string): string {
  return neutralize(s, false);
}

/** For a message that may span lines (an error with its LINE n: ... ^ pointer): keeps \n and \t. */
export function termText(s: string): string {
  return neutralize(s, true);
}

/**
 * JSON text whose strings may hold characters JSON.stringify leaves as they are (DEL, C1 controls,
 * bidi marks, U+2028/9): written as \uXXXX escapes, which every JSON reader decodes to the same
 * value. Outside strings JSON text holds none of them, so the rewrite is exact.
 */
export function jsonSafe(json: string): string {
  return json.replace(/[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
