import { accessSync, constants, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { CliError } from '../core/errors.js';
import { CaseSession, type Request } from '../query/session.js';
import { OUTPUT_FORMATS, formatRows, type OutputFormat } from '../output/format-rows.js';
import { StatementBuffer } from './statement-buffer.js';
import { runDotCommand, type ShellState } from './dot-commands.js';

export const PROMPT = 'podtrail> ';
export const CONTINUATION = '   ...> ';
const HISTORY_SIZE = 1000;

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
    columns: io.columns,
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
  rl.on('SIGINT', () => {
    buffer.clear();
    io.output.write('^C\n');
    prompt();
  });
  const report = (e: unknown): void => {
    failures++;
    if (e instanceof CliError) io.error.write(`Error: ${e.message}\n`);
    else throw e;
  };
  const runSql = async (sql: string): Promise<void> => {
    const r: Request = { sql, params: state.params, ignoreUnusedParams: true };
    try {
      const result = await session.rows(r, state.limit);
      io.output.write(formatRows(result, state.format, state.columns));
    } catch (e) {
      report(e);
    }
  };

  if (io.terminal) io.output.write(`podtrail shell on ${path.resolve(caseDir)}: end statements with ";", .help for commands, Ctrl-D to leave.\n`);
  prompt();
  let quit = false;
  try {
    for await (const line of rl) {
      if (!buffer.pending && line.trim().startsWith('.')) {
        try {
          quit = (await runDotCommand(line.trim(), state)) === 'quit';
        } catch (e) {
          report(e);
        }
        if (quit) break;
      } else {
        for (const stmt of buffer.push(line)) await runSql(stmt);
      }
      prompt();
    }
    const rest = buffer.take();
    if (!quit && rest !== '') await runSql(rest);
  } finally {
    rl.close();
    session.close();
  }
  if (io.terminal) io.output.write('\n');
  return failures > 0 && !io.terminal ? 1 : 0;
}

export function isOutputFormat(f: string): f is OutputFormat {
  return (OUTPUT_FORMATS as string[]).includes(f);
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
