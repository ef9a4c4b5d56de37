import { LAKE_TABLES, type TableDoc } from './schema.js';
import { CORRELATION_TABLES } from './correlation-schema.js';
import { CASE_TABLES } from './case-tables.js';

/** Every documented table: the lake, the correlation tables, the case tables. */
export function allTableDocs(): TableDoc[] {
  return [...LAKE_TABLES, ...CORRELATION_TABLES, ...CASE_TABLES];
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Markdown for one table: the text `podtrail schema` prints and docs/schema.md embeds. */
export function renderTableDoc(t: TableDoc): string {
  const lines = [
    `### ${t.name}`,
    '',
    `${t.kind}. ${t.doc} Key: ${t.key.join(', ')}.`,
    '',
    '| column | type | meaning |',
    '|---|---|---|',
    ...t.columns.map((c) => `| ${c.name} | ${c.type} | ${escapeCell(c.doc)} |`),
    '',
  ];
  return lines.join('\n');
}

export function renderSchemaDoc(tables: TableDoc[] = allTableDocs()): string {
  return tables.map(renderTableDoc).join('\n');
}
