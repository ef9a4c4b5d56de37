import { accessSync, constants, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { CliError } from '../core/errors.js';
import { CaseSession, type Request } from '../query/session.js';
import { formatRows } from '../output/format-rows.js';
import { StatementBuffer } from './statement-buffer.js';
import { runDotCommand, type ShellState } from './dot-commands.js';

export const PROMPT = 'podtrail> ';
export const CONTINUATION = '   ...> ';
const HISTORY_SIZE = 1000;
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
}

/**
 * `podtrail shell CASE`: statements end with `;` and may span lines; dot-commands (.help) act at
 * once. Every statement runs through the same read-only single-SELECT check as podtrail query.
 * Returns the exit status: 0, or 1 when input came from a pipe and a statement failed.
 */
export async function runShell(caseDir: string, io: ShellIo): Promise<number> {
  const session = await CaseSession.open(caseDir);
  const state: ShellState = {
    session,
    format: io.terminal ? 'table' : 'ndjson',
    limit: undefined,
    params: {},
    columns: () => (io.terminal ? (io.output as Partial<NodeJS.WriteStream>).columns || io.columns || 120 : Infinity),
    out: (t) => void io.output.write(t),
  };
  const history = io.terminal ? loadHistory(io.historyFile) : [];
  const rl = readline.createInterface({
    input: io.input,
    output: io.terminal ? io.output : undefined,
    terminal: io.terminal,
    history,
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
  });
  if (io.terminal && io.historyFile) rl.on('history', (h: string[]) => saveHistory(io.historyFile!, h));
  const buffer = new StatementBuffer();
  let failures = 0;
  const prompt = (): void => {
    if (!io.terminal) return;
    rl.setPrompt(buffer.pending ? CONTINUATION : PROMPT);
    rl.prompt();
  };
  const report = (e: unknown): void => {
    failures++;
    if (e instanceof CliError) io.error.write(`Error: ${e.message}\n`);
    else throw e;
  };
  const runSql = async (sql: string): Promise<void> => {
    const r: Request = { sql, params: state.params, ignoreUnusedParams: true };
    try {
      const result = await session.rows(r, state.limit);
      io.output.write(formatRows(result, state.format, state.columns()));
    } catch (e) {
      report(e);
    }
  };
  /** One input event, in arrival order: a line, or Ctrl-C (drops the statement being typed). */
  const handle = async (item: string | typeof INTERRUPT): Promise<'quit' | void> => {
    if (item === INTERRUPT) {
      buffer.clear();
      io.output.write('^C\n');
    } else if (!buffer.pending && item.trim().startsWith('.')) {
      try {
        if ((await runDotCommand(item.trim(), state)) === 'quit') return 'quit';
      } catch (e) {
        report(e);
      }
    } else {
      for (const stmt of buffer.push(item)) await runSql(stmt);
    }
    prompt();
  };

  if (io.terminal) io.output.write(`podtrail shell on ${path.resolve(caseDir)}: end statements with ";", .help for commands, Ctrl-D to leave.\n`);
  prompt();
  try {
    await new Promise<void>((resolve, reject) => {
      // Lines and Ctrl-C go through one queue, handled one at a time, so a Ctrl-C typed while a
      // statement runs applies after it, and end of input waits for everything before it.
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
            if (!quit && rest !== '' && !io.terminal) await runSql(rest);
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
        queue.push(INTERRUPT);
        void pump();
      });
      rl.on('close', () => {
        closed = true;
        void pump();
      });
    });
  } finally {
    rl.close();
    session.close();
  }
  if (io.terminal) io.output.write('\n');
  return failures > 0 && !io.terminal ? 1 : 0;
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

/** readline keeps history newest first; the file keeps it oldest first, one entry a line. */
function loadHistory(file: string | null): string[] {
  if (!file || !existsSync(file)) return [];
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

function saveHistory(file: string, newestFirst: string[]): void {
  try {
    writeFileSync(file, [...newestFirst].reverse().map((l) => `${l}\n`).join(''), { mode: 0o600 });
  } catch {
    // History is a convenience: a file that cannot be written is skipped.
  }
}
