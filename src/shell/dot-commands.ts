import { UsageError } from '../core/errors.js';
import { closest } from '../core/closest.js';
import { allTableDocs, renderTableDoc } from '../lake/schema-doc.js';
import { OUTPUT_FORMATS, formatRows, type OutputFormat } from '../output/format-rows.js';
import { parseParams } from '../query/params.js';
import { parseRowLimit } from '../query/row-limit.js';
import { renderHuntList } from '../query/hunts.js';
import type { CaseSession, Request } from '../query/session.js';
import { termLine } from '../output/terminal-text.js';
import { splitWords } from './dot-args.js';

/** What a shell session carries between lines. */
export interface ShellState {
  session: CaseSession;
  format: OutputFormat;
  limit: number | undefined;
  /** Values bound to $name in ad-hoc statements (.param). */
  params: Record<string, string>;
  /** Print each statement's run time (.timer). */
  timer: boolean;
  /** Width for tables: the terminal's current width; Infinity when output goes to a file or pipe. */
  columns(): number;
  /** Where results and listings go: the terminal, or the file of .output. */
  out(text: string): void;
  /** .output FILE (null: back to standard output); returns the file now written. */
  setOutput(file: string | null): string | null;
  /** .read FILE: runs the statements and dot-commands of a file. */
  read(file: string): Promise<void>;
  /** Runs a statement or a hunt and prints its rows, streamed, in the current mode. */
  runRequest(r: Request): Promise<void>;
}

/** The formats .mode offers (DuckDB's names), and ndjson. */
export const MODES: OutputFormat[] = ['table', 'line', 'csv', 'json', 'ndjson'];

export const SHELL_HELP = `Statements end with ";" and may span lines; each runs as one read-only SELECT.
.tables                  tables and views of the case
.schema NAME             columns of a table or view, with types and meanings
.hunts                   the hunts of queries/
.run HUNT k=v ...        run a hunt with its parameters (values may be quoted)
.mode [MODE]             show or set the output mode: ${MODES.join(' | ')} (.format is the same)
.limit [N|off]           show or set the maximum number of rows printed
.timer [on|off]          print each statement's run time
.output [FILE]           write results to FILE (.output alone: back to the screen)
.read FILE               run the statements and dot-commands of FILE
.param [NAME=VALUE]      bind $NAME in later statements (.param alone lists, .param clear forgets)
.help                    this text
.quit                    leave (Ctrl-D too)
`;

type Handler = (args: string[], s: ShellState) => Promise<void | 'quit'>;

const COMMANDS: Record<string, Handler> = {
  help: async (_a, s) => s.out(SHELL_HELP),
  quit: async () => 'quit',
  exit: async () => 'quit',
  tables: async (_a, s) => {
    const docs = new Map(allTableDocs().map((t) => [t.name, t]));
    const objects = await s.session.objects();
    const rows = objects.map((o) => [o.name, docs.get(o.name)?.kind ?? `internal ${o.type}`]);
    rows.sort((a, b) => rank(a[1]!) - rank(b[1]!) || (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
    s.out(formatRows({ columns: ['name', 'kind'], rows }, s.format, s.columns()));
  },
  schema: async (args, s) => {
    const [name] = args;
    if (name === undefined) {
      s.out(allTableDocs().map((t) => `${t.name} (${t.kind})\n`).join(''));
      return;
    }
    const doc = allTableDocs().find((t) => t.name === name);
    if (doc) {
      s.out(renderTableDoc(doc));
      return;
    }
    const r = await s.session.rows({ sql: `select column_name, data_type from information_schema.columns where table_schema = 'main' and table_name = $name order by ordinal_position`, params: { name } });
    if (r.rows.length === 0) {
      const names = (await s.session.objects()).map((o) => o.name);
      const near = closest(name, names);
      throw new UsageError(`no table or view named "${termLine(name)}"${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}`);
    }
    s.out(`${termLine(name)}: internal view (undocumented, may change between versions)\n` + formatRows({ columns: ['column', 'type'], rows: r.rows }, s.format, s.columns()));
  },
  hunts: async (_a, s) => s.out(renderHuntList()),
  run: async (args, s) => {
    const [hunt, ...rest] = args;
    if (!hunt) throw new UsageError('.run HUNT name=value ... (.hunts lists them)');
    await s.runRequest({ hunt, params: parseParams(rest) });
  },
  mode: async (args, s) => setMode('mode', args, s),
  format: async (args, s) => setMode('format', args, s),
  timer: async (args, s) => {
    const [v] = args;
    if (v === undefined) return s.out(`${s.timer ? 'on' : 'off'}\n`);
    if (v !== 'on' && v !== 'off') throw new UsageError(`.timer: "${v}" is not on or off`);
    s.timer = v === 'on';
  },
  output: async (args, s) => {
    if (args.length > 1) throw new UsageError('.output FILE (one file; quote a name with spaces)');
    s.setOutput(args[0] ?? null);
  },
  read: async (args, s) => {
    if (args.length !== 1) throw new UsageError('.read FILE');
    await s.read(args[0]!);
  },
  limit: async (args, s) => {
    const [n] = args;
    if (n === undefined) return s.out(`${s.limit ?? 'off'}\n`);
    if (n === 'off') s.limit = undefined;
    else s.limit = parseRowLimit(n, '.limit (a number or off)');
  },
  param: async (args, s) => {
    if (args.length === 0) {
      s.out(Object.keys(s.params).sort().map((k) => `$${k} = ${termLine(s.params[k]!)}\n`).join('') || '(no parameters set)\n');
      return;
    }
    if (args.length === 1 && args[0] === 'clear') {
      s.params = {};
      return;
    }
    Object.assign(s.params, parseParams(args));
  },
};

function setMode(name: string, args: string[], s: ShellState): void {
  const [f] = args;
  if (f === undefined) return s.out(`${s.format}\n`);
  if (f === 'parquet') throw new UsageError('parquet needs a file: use podtrail query CASE ... --format parquet --out FILE');
  if (!(OUTPUT_FORMATS as string[]).includes(f)) throw new UsageError(`.${name}: "${termLine(f)}" is not one of ${MODES.join(', ')}`);
  s.format = f as OutputFormat;
}

/** The dot-commands, for completion. */
export const DOT_COMMANDS = (): string[] => Object.keys(COMMANDS).filter((c) => c !== 'exit').map((c) => `.${c}`);

function rank(kind: string): number {
  return ['lake table', 'correlation table', 'case table'].indexOf(kind) + 1 || 9;
}

/** Runs one dot-command line (".run hunt a=b"); returns 'quit' for .quit / .exit. */
export async function runDotCommand(line: string, s: ShellState): Promise<void | 'quit'> {
  const [head, ...args] = splitWords(line.slice(1));
  const name = (head ?? '').toLowerCase();
  const handler = COMMANDS[name];
  if (!handler) {
    const near = closest(name, Object.keys(COMMANDS));
    throw new UsageError(`unknown command ".${termLine(name)}"${near.length ? ` (did you mean .${near[0]}?)` : ''}; .help lists them`);
  }
  return handler(args, s);
}
