import { listHunts } from '../query/hunts.js';
import { DOT_COMMANDS } from './dot-commands.js';

/** Tables and views of the case with their columns, for completion. */
export interface Names {
  tables: string[];
  columns: Map<string, string[]>;
}

const uniqueSorted = (xs: string[]): string[] => [...new Set(xs)].sort();

/**
 * Tab completion for readline: dot-commands at the start of a line; table names after .schema,
 * hunt names after .run; in SQL, table and column names, and after "table." that table's columns
 * (any other qualifier, an alias, offers every column).
 */
export function completer(names: Names): (line: string) => [string[], string] {
  const allColumns = uniqueSorted([...names.columns.values()].flat());
  const words = uniqueSorted([...names.tables, ...allColumns]);
  return (line) => {
    const dot = /^\s*(\.[A-Za-z]*)$/.exec(line);
    if (dot) return [DOT_COMMANDS().filter((c) => c.startsWith(dot[1]!.toLowerCase())), dot[1]!];
    const arg = /^\s*\.(schema|run)\s+(\S*)$/i.exec(line);
    if (arg) {
      const pool = arg[1]!.toLowerCase() === 'schema' ? names.tables : listHunts().map((h) => h.name);
      return [pool.filter((n) => n.startsWith(arg[2]!)), arg[2]!];
    }
    const m = /(?:([A-Za-z_][A-Za-z0-9_]*)\.)?([A-Za-z_][A-Za-z0-9_]*)?$/.exec(line);
    const qualifier = m?.[1];
    const stem = m?.[2] ?? '';
    const fragment = m?.[0] ?? '';
    if (qualifier !== undefined) {
      const cols = names.columns.get(qualifier) ?? names.columns.get(qualifier.toLowerCase()) ?? allColumns;
      return [cols.filter((c) => c.toLowerCase().startsWith(stem.toLowerCase())).map((c) => `${qualifier}.${c}`), fragment];
    }
    if (stem === '') return [[], ''];
    return [words.filter((w) => w.toLowerCase().startsWith(stem.toLowerCase())), stem];
  };
}
