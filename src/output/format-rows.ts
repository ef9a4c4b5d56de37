/** Renders query results: table for people, JSON / NDJSON / CSV for programs. */
export type OutputFormat = 'table' | 'json' | 'ndjson' | 'csv';
export const OUTPUT_FORMATS: OutputFormat[] = ['table', 'json', 'ndjson', 'csv'];

export interface Rows {
  columns: string[];
  rows: unknown[][];
}

function obj(columns: string[], row: unknown[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  columns.forEach((c, i) => (o[c] = row[i]));
  return o;
}

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function csvCell(v: unknown): string {
  const s = cellText(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatJson(r: Rows): string {
  return JSON.stringify(r.rows.map((row) => obj(r.columns, row))) + '\n';
}

export function formatNdjson(r: Rows): string {
  return r.rows.map((row) => JSON.stringify(obj(r.columns, row)) + '\n').join('');
}

/** CSV with a header row; lines end with \n (shell tools split on it), fields holding , " or a line break are quoted. */
export function formatCsv(r: Rows): string {
  return [r.columns.map(csvCell).join(','), ...r.rows.map((row) => row.map(csvCell).join(','))].join('\n') + '\n';
}

/** A text table that fits `width` columns (Infinity: never cut): long cells are cut with an ellipsis. */
export function formatTable(r: Rows, width = 120): string {
  const oneLine = (s: string): string => s.replace(/[\r\n\t]/g, ' ');
  const cells = r.rows.map((row) => row.map((v) => (v === null || v === undefined ? 'NULL' : oneLine(cellText(v)))));
  const widths = r.columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const budget = Math.max(width - 3 * widths.length - 1, widths.length * 4);
  while (widths.reduce((a, b) => a + b, 0) > budget) {
    const i = widths.indexOf(Math.max(...widths));
    widths[i] = Math.max(4, Math.floor(widths[i]! * 0.8));
    if (widths.every((w) => w <= 4)) break;
  }
  const fit = (s: string, w: number): string => (s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));
  const line = (vals: string[]): string => '| ' + vals.map((v, i) => fit(v, widths[i]!)).join(' | ') + ' |';
  const sep = '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|';
  const out = [line(r.columns), sep, ...cells.map(line)];
  out.push(`(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})`);
  return out.join('\n') + '\n';
}

export function formatRows(r: Rows, format: OutputFormat, width?: number): string {
  switch (format) {
    case 'json':
      return formatJson(r);
    case 'ndjson':
      return formatNdjson(r);
    case 'csv':
      return formatCsv(r);
    case 'table':
      return formatTable(r, width);
  }
}
