/**
 * Renders query results: table and line for people, JSON / NDJSON / CSV for programs. Every format
 * streams: rows arrive in batches and leave as text at once, except the table, which holds its
 * first TABLE_SAMPLE_ROWS rows to size its columns. Every value passes the terminal gate
 * (terminal-text.ts): evidence never prints a raw control or bidi character.
 */
import { jsonSafe, termLine } from './terminal-text.js';

export type OutputFormat = 'table' | 'line' | 'json' | 'ndjson' | 'csv';
export const OUTPUT_FORMATS: OutputFormat[] = ['table', 'line', 'json', 'ndjson', 'csv'];

/** Rows the table reads before it fixes its column widths; later rows are cut (terminal) or overflow (pipe). */
export const TABLE_SAMPLE_ROWS = 200;

export interface Rows {
  columns: string[];
  rows: unknown[][];
}

/** Where text goes: stdout, a file, a shell's output. A returned promise is awaited (backpressure). */
export interface TextSink {
  write(text: string): void | Promise<void>;
}

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** A value in a table or line cell: one line, every control character visible. */
function displayCell(v: unknown): string {
  return v === null || v === undefined ? 'NULL' : termLine(cellText(v).replace(/[\r\n\t]/g, ' '));
}

function csvCell(v: unknown): string {
  // line breaks and tabs are CSV data inside quotes; any other control character is shown as \uXXXX
  const s = cellText(v).replace(/[^\r\n\t]+/g, termLine);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function obj(columns: string[], row: unknown[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  columns.forEach((c, i) => (o[c] = row[i]));
  return o;
}

const plural = (n: number): string => `${n} row${n === 1 ? '' : 's'}`;

/** One format's text for a result: a head, each batch of rows, an end given the row count. */
export interface RowFormatter {
  batch(rows: unknown[][]): string;
  end(count: number): string;
}

class JsonFormatter implements RowFormatter {
  private first = true;
  constructor(private readonly columns: string[]) {}
  batch(rows: unknown[][]): string {
    let out = '';
    for (const row of rows) {
      out += (this.first ? '[' : ',') + jsonSafe(JSON.stringify(obj(this.columns, row)));
      this.first = false;
    }
    return out;
  }
  end(): string {
    return this.first ? '[]\n' : ']\n';
  }
}

class NdjsonFormatter implements RowFormatter {
  constructor(private readonly columns: string[]) {}
  batch(rows: unknown[][]): string {
    return rows.map((row) => jsonSafe(JSON.stringify(obj(this.columns, row))) + '\n').join('');
  }
  end(): string {
    return '';
  }
}

/** CSV with a header row; lines end with \n (shell tools split on it), fields holding , " or a line break are quoted. */
class CsvFormatter implements RowFormatter {
  private head: string;
  constructor(columns: string[]) {
    this.head = columns.map(csvCell).join(',') + '\n';
  }
  batch(rows: unknown[][]): string {
    const out = this.head + rows.map((row) => row.map(csvCell).join(',') + '\n').join('');
    this.head = '';
    return out;
  }
  end(): string {
    const out = this.head;
    this.head = '';
    return out;
  }
}

/** DuckDB's line mode: one "column = value" line per column, a blank line between rows. */
class LineFormatter implements RowFormatter {
  private readonly names: string[];
  private first = true;
  constructor(columns: string[]) {
    const shown = columns.map(termLine);
    const w = Math.max(0, ...shown.map((c) => c.length));
    this.names = shown.map((c) => c.padStart(w));
  }
  batch(rows: unknown[][]): string {
    let out = '';
    for (const row of rows) {
      out += (this.first ? '' : '\n') + this.names.map((n, i) => `${n} = ${displayCell(row[i])}\n`).join('');
      this.first = false;
    }
    return out;
  }
  end(): string {
    return '';
  }
}

/**
 * A text table that fits `width` columns (Infinity: never cut). Column widths come from the header
 * and the first TABLE_SAMPLE_ROWS rows; the table then streams. Long cells are cut with an ellipsis
 * when the width is finite; otherwise a later, longer cell overflows its column.
 */
class TableFormatter implements RowFormatter {
  private sample: string[][] | null = [];
  private widths: number[] = [];
  private readonly header: string[];
  constructor(columns: string[], private readonly width: number) {
    this.header = columns.map(termLine);
  }

  private fix(): string {
    const cells = this.sample ?? [];
    this.sample = null;
    const widths = this.header.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
    const budget = Math.max(this.width - 3 * widths.length - 1, widths.length * 4);
    while (widths.reduce((a, b) => a + b, 0) > budget) {
      const i = widths.indexOf(Math.max(...widths));
      widths[i] = Math.max(4, Math.floor(widths[i]! * 0.8));
      if (widths.every((w) => w <= 4)) break;
    }
    this.widths = widths;
    const sep = '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|';
    return [this.line(this.header), sep, ...cells.map((r) => this.line(r))].map((l) => l + '\n').join('');
  }

  private line(vals: string[]): string {
    const cut = Number.isFinite(this.width);
    const fit = (s: string, w: number): string => (cut && s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));
    return '| ' + vals.map((v, i) => fit(v, this.widths[i]!)).join(' | ') + ' |';
  }

  batch(rows: unknown[][]): string {
    const cells = rows.map((row) => row.map(displayCell));
    if (this.sample !== null) {
      this.sample.push(...cells);
      return this.sample.length >= TABLE_SAMPLE_ROWS ? this.fix() : '';
    }
    return cells.map((r) => this.line(r) + '\n').join('');
  }

  end(count: number): string {
    return (this.sample !== null ? this.fix() : '') + `(${plural(count)})\n`;
  }
}

export function rowFormatter(columns: string[], format: OutputFormat, width = 120): RowFormatter {
  switch (format) {
    case 'json':
      return new JsonFormatter(columns);
    case 'ndjson':
      return new NdjsonFormatter(columns);
    case 'csv':
      return new CsvFormatter(columns);
    case 'line':
      return new LineFormatter(columns);
    case 'table':
      return new TableFormatter(columns, width);
  }
}

/** Writes a streamed result to a sink in one format; returns the number of rows written. */
export async function writeRows(
  result: { columns: string[]; batches: AsyncIterable<unknown[][]> },
  format: OutputFormat,
  sink: TextSink,
  width?: number,
): Promise<number> {
  const f = rowFormatter(result.columns, format, width);
  let count = 0;
  for await (const rows of result.batches) {
    count += rows.length;
    const text = f.batch(rows);
    if (text !== '') await sink.write(text);
  }
  await sink.write(f.end(count));
  return count;
}

/** A whole (small) result as text. */
export function formatRows(r: Rows, format: OutputFormat, width?: number): string {
  const f = rowFormatter(r.columns, format, width);
  return f.batch(r.rows) + f.end(r.rows.length);
}

/**
 * True when a table of these columns cannot fit `width` without cutting a column below 8
 * characters (or below its own width, if narrower): the shell then prints the result in line mode.
 */
export function tooWideForTable(columns: string[], sample: unknown[][], width: number): boolean {
  if (!Number.isFinite(width)) return false;
  const natural = columns.map((c, i) => Math.max(termLine(c).length, ...sample.map((row) => displayCell(row[i]).length)));
  const needed = natural.reduce((a, w) => a + Math.min(w, 8) + 3, 1);
  return needed > width;
}
