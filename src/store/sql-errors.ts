import { allTableDocs } from '../lake/schema-doc.js';
import { closest } from '../core/closest.js';
import { QUERY_TEMP_LIMIT } from './analyst-store.js';

/**
 * DuckDB's error text made useful to an analyst: the "Failed to extract statements" wrapper
 * removed, the position shown as line, column and a caret when DuckDB gave only an offset, and
 * documented table or column names suggested when DuckDB suggested none.
 */
export function explainSqlError(sql: string, message: string, position?: number): string {
  let text = message.replace(/^Failed to extract statements: /, '').trimEnd();
  if (/disabled by configuration|Permission Error/.test(text)) {
    const [first, ...rest] = text.split('\n');
    text = [`refused: ${first} (analyst SQL reads only the case's lake: raw/ and files outside the case are closed to it)`, ...rest].join('\n');
  }
  if (position !== undefined && Number.isFinite(position) && !/\nLINE \d+:/.test(text)) text += '\n\n' + pointAt(sql, position);
  if (/max_temp_directory_size/.test(text)) text += `\n(podtrail lets one analyst query spill ${QUERY_TEMP_LIMIT} inside the case: set PODTRAIL_QUERY_TEMP_LIMIT to allow more, or filter and aggregate first)`;
  if (/syntax error at end of input/.test(text)) text += '\n(the statement is incomplete: a missing closing parenthesis, quote or clause?)';
  const hint = suggestion(text);
  return hint ? `${text}\n${hint}` : text;
}

/** "LINE n: <text>" and a caret under the character at the 0-based offset, as DuckDB prints it. */
function pointAt(sql: string, position: number): string {
  const before = sql.slice(0, position);
  const lineNo = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = sql.indexOf('\n', lineStart);
  const line = sql.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const prefix = `LINE ${lineNo}: `;
  return `${prefix}${line}\n${' '.repeat(prefix.length + position - lineStart)}^`;
}

function suggestion(text: string): string | null {
  const col = /column named "([^"]+)"|Referenced column "([^"]+)" not found/.exec(text);
  if (col && !/Candidate bindings/.test(text)) {
    const names = [...new Set(allTableDocs().flatMap((t) => t.columns.map((c) => c.name)))];
    const near = closest(col[1] ?? col[2] ?? '', names);
    if (near.length > 0) return `Did you mean ${near.map((n) => `"${n}"`).join(' or ')}? (podtrail schema CASE lists every column)`;
  }
  const table = /Table with name ([^\s!]+) does not exist/.exec(text);
  if (table && !/Did you mean/.test(text)) {
    const near = closest(table[1] ?? '', allTableDocs().map((t) => t.name));
    if (near.length > 0) return `Did you mean ${near.map((n) => `"${n}"`).join(' or ')}? (podtrail schema CASE lists every table)`;
  }
  return null;
}
