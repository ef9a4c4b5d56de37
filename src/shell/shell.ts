import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { CliError, InterruptedError, UsageError } from '../core/errors.js';
import { CaseSession, type Request } from '../query/session.js';
import { tooWideForTable, writeRows, type OutputFormat } from '../output/format-rows.js';
import { termLine, termText } from '../output/terminal-text.js';
import { StatementBuffer } from './statement-buffer.js';
import { runDotCommand, type ShellState } from './dot-commands.js';
import { completer, type Names } from './completion.js';
import { decodeHistory, encodeHistory, keepWholeStatement } from './history.js';

export const PROMPT = 'podtrail> ';
export const CONTINUATION = '   ...> ';
const HISTORY_SIZE = 1000;
const MAX_READ_DEPTH = 16;
const INTERRUPT = Symbol('interrupt');

export interface ShellIo {
  input: Readable;
  output: Writable;
  error: Writable;
  /** Interactive: prompts, line editing and history (stdin and stdout are terminals). */
  terminal: boolean;
  columns: number;
  /** File that keeps the history between sessions; null for none. */
  historyFile: string | null;
  /** Aborted by a SIGINT sent to the process (piped input): cancels the statement and leaves. */
  signal?: AbortSignal;
}

/**
 * `podtrail shell CASE`: statements end with `;` and may span lines; dot-commands (.help) act at
 * once. Every statement runs through the same read-only single-SELECT check as podtrail query, and
 * streams its rows. On a terminal Ctrl-C cancels the running statement (DuckDB's interrupt) or
 * drops the one being typed. Returns the exit status: 0, or 1 when input came from a pipe and a
 * statement failed.
 */
export async function runShell(caseDir: string, io: ShellIo): Promise<number> {
  const session = await CaseSession.open(caseDir);
  let outputFile: { name: string; fd: number } | null = null;
  let running: AbortController | null = null;
  const termWidth = (): number => (io.output as Partial<NodeJS.WriteStream>).columns || io.columns || 120;
  const state: ShellState = {
    session,
    format: io.terminal ? 'table' : 'ndjson',
    limit: undefined,
    params: {},
    timer: false,
    columns: () => (io.terminal && outputFile === null ? termWidth() : Infinity),
    out: (t) => {
      if (outputFile) writeSync(outputFile.fd, t);
      else io.output.write(t);
    },
    setOutput: (file) => {
      if (outputFile) closeSync(outputFile.fd);
      outputFile = null;
      if (file === null) return null;
      try {
        outputFile = { name: file, fd: openSync(file, 'w') };
      } catch (e) {
        throw new UsageError(`.output ${termLine(file)}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      return file;
    },
    read: async (file) => readFile(file),
    runRequest: async (r) => runRequest(r),
  };
  const stale = await session.correlationNote();
  if (stale) io.error.write(`${termLine(stale)}\n`);

  const names: Names = io.terminal ? await loadNames(session) : { tables: [], columns: new Map() };
  const history = io.terminal ? loadHistory(io.historyFile) : [];
  const rl = readline.createInterface({
    input: io.input,
    output: io.terminal ? io.output : undefined,
    terminal: io.terminal,
    history,
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: io.terminal ? completer(names) : undefined,
  });
  const rlHistory = (): string[] => (rl as unknown as { history: string[] }).history;
  const buffer = new StatementBuffer();
  /** Non-blank lines of the statement being typed: replaced in the history by the whole statement. */
  let statementLines: string[] = [];
  let failures = 0;
  const prompt = (): void => {
    if (!io.terminal) return;
    rl.setPrompt(buffer.pending ? CONTINUATION : PROMPT);
    rl.prompt();
  };
  const report = (e: unknown): void => {
    if (e instanceof InterruptedError) {
      io.error.write('cancelled\n');
      return;
    }
    failures++;
    if (e instanceof CliError) io.error.write(`Error: ${termText(e.message)}\n`);
    else throw e;
  };

  /** Streams one statement's rows to the output; a table too wide for the terminal prints in line mode. */
  async function runRequest(r: Request): Promise<void> {
    const started = performance.now();
    running = new AbortController();
    try {
      await session.bounded({ signal: running.signal }, async () => {
        const s = await session.stream(r, state.limit);
        const width = state.columns();
        let format: OutputFormat = state.format;
        let batches: AsyncIterable<unknown[][]> = s.batches;
        if (format === 'table' && Number.isFinite(width)) {
          const first = await s.batches.next();
          const head = first.done ? [] : first.value;
          if (tooWideForTable(s.columns, head.slice(0, 200), width)) format = 'line';
          batches = (async function* () {
            if (!first.done) yield head;
            yield* s.batches;
          })();
        }
        await writeRows({ columns: s.columns, batches }, format, { write: (t) => state.out(t) }, width);
      });
    } finally {
      running = null;
    }
    if (state.timer) io.output.write(`Run Time (s): real ${((performance.now() - started) / 1000).toFixed(3)}\n`);
  }

  const runSql = async (sql: string): Promise<void> => {
    try {
      await runRequest({ sql, params: state.params, ignoreUnusedParams: true });
    } catch (e) {
      report(e);
    }
  };

  /** One line of input (typed, piped or read from a file) through a statement buffer. */
  const feed = async (line: string, buf: StatementBuffer, depth: number): Promise<'quit' | void> => {
    if (!buf.pending && line.trim().startsWith('.')) {
      try {
        const trimmed = line.trim();
        if (/^\.read(\s|$)/i.test(trimmed) && depth >= MAX_READ_DEPTH) throw new UsageError(`.read: more than ${MAX_READ_DEPTH} files deep`);
        readDepth = depth;
        if ((await runDotCommand(trimmed, state)) === 'quit') return 'quit';
      } catch (e) {
        report(e);
      }
      return;
    }
    for (const stmt of buf.push(line)) await runSql(stmt);
  };

  let readDepth = 0;
  async function readFile(file: string): Promise<void> {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`.read ${termLine(file)}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const depth = readDepth + 1;
    const buf = new StatementBuffer();
    for (const line of text.split(/\r?\n/)) if ((await feed(line, buf, depth)) === 'quit') break;
    const rest = buf.take();
    if (rest !== '') await runSql(rest);
    readDepth = depth - 1;
  }

  /** One input event, in arrival order: a line, or Ctrl-C (drops the statement being typed). */
  const handle = async (item: string | typeof INTERRUPT): Promise<'quit' | void> => {
    if (item === INTERRUPT) {
      buffer.clear();
      statementLines = [];
      io.output.write('^C\n');
    } else {
      // a history entry recalled whole may hold several lines
      for (const line of item.split('\n')) {
        const wasPending = buffer.pending;
        if (io.terminal && line.trim() !== '' && (wasPending || !line.trim().startsWith('.'))) statementLines.push(line);
        if ((await feed(line, buffer, 0)) === 'quit') return 'quit';
        if (!buffer.pending && statementLines.length > 0) {
          if (statementLines.length > 1 && !item.includes('\n')) keepWholeStatement(rlHistory(), statementLines, statementLines.join('\n'));
          statementLines = [];
        }
      }
      if (io.terminal && io.historyFile) saveHistory(io.historyFile, rlHistory());
    }
    prompt();
  };

  if (io.terminal) io.output.write(`podtrail shell on ${termLine(path.resolve(caseDir))}: end statements with ";", .help for commands, Ctrl-C cancels, Ctrl-D to leave.\n`);
  prompt();
  try {
    await new Promise<void>((resolve, reject) => {
      // Lines and Ctrl-C go through one queue, handled one at a time, so end of input waits for
      // everything before it. Ctrl-C while a statement runs cancels that statement at once.
      const queue: (string | typeof INTERRUPT)[] = [];
      let busy = false;
      let closed = false;
      let quit = false;
      const pump = async (): Promise<void> => {
        if (busy) return;
        busy = true;
        try {
          while (queue.length > 0 && !quit) if ((await handle(queue.shift()!)) === 'quit') quit = true;
          if (quit || closed) {
            const rest = buffer.take();
            // Piped input may end without a last ';'; on a terminal, Ctrl-D drops a half-typed statement.
            if (!quit && rest !== '' && !io.terminal && !io.signal?.aborted) await runSql(rest);
            rl.close();
            resolve();
          }
        } catch (e) {
          reject(e);
        } finally {
          busy = false;
        }
      };
      rl.on('line', (line) => {
        queue.push(line);
        void pump();
      });
      rl.on('SIGINT', () => {
        if (running) running.abort();
        else {
          queue.push(INTERRUPT);
          void pump();
        }
      });
      rl.on('close', () => {
        closed = true;
        void pump();
      });
      io.signal?.addEventListener('abort', () => {
        running?.abort();
        queue.length = 0;
        quit = true;
        rl.close();
      });
    });
  } finally {
    rl.close();
    if (outputFile) closeSync((outputFile as { fd: number }).fd);
    if (io.terminal && io.historyFile) saveHistory(io.historyFile, rlHistory());
    session.close();
  }
  if (io.signal?.aborted) throw new InterruptedError();
  if (io.terminal) io.output.write('\n');
  return failures > 0 && !io.terminal ? 1 : 0;
}

/** Tables, views and their columns, for tab completion. */
async function loadNames(session: CaseSession): Promise<Names> {
  const r = await session.rows({
    sql: `select table_name, column_name from information_schema.columns where table_schema = 'main' and table_name <> 'podtrail_views' order by table_name, ordinal_position`,
    params: {},
  });
  const columns = new Map<string, string[]>();
  for (const [t, c] of r.rows as [string, string][]) columns.set(t, [...(columns.get(t) ?? []), c]);
  return { tables: [...columns.keys()], columns };
}

/** $HOME/.podtrail_history when HOME is set and writable (PODTRAIL_HISTORY overrides; empty disables). */
export function defaultHistoryFile(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env['PODTRAIL_HISTORY'] !== undefined) return env['PODTRAIL_HISTORY'] === '' ? null : env['PODTRAIL_HISTORY'];
  const home = env['HOME'];
  if (!home) return null;
  try {
    accessSync(home, constants.W_OK);
  } catch {
    return null;
  }
  return path.join(home, '.podtrail_history');
}

/** readline keeps history newest first; the file keeps it oldest first, one entry a line (see history.ts). */
function loadHistory(file: string | null): string[] {
  if (!file || !existsSync(file)) return [];
  try {
    return decodeHistory(readFileSync(file, 'utf8')).slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

function saveHistory(file: string, newestFirst: string[]): void {
  try {
    writeFileSync(file, encodeHistory([...newestFirst].reverse()), { mode: 0o600 });
  } catch {
    // History is a convenience: a file that cannot be written is skipped.
  }
}
