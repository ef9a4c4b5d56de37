import { readFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { collect } from '../options.js';
import { delivery, formatOption, ioSink, LIMIT_HELP, OUT_HELP, parseLimit, parseTimeout, TIMEOUT_HELP } from '../output-options.js';
import { withCtrlC } from '../interrupt.js';
import { UsageError } from '../../core/errors.js';
import { runOnCase } from '../../query/session.js';
import { parseParams } from '../../query/params.js';
import { termLine } from '../../output/terminal-text.js';

/** The SQL of -f FILE, or of standard input for -f -. */
function readSql(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new UsageError(`-f ${termLine(file)}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export function registerQuery(program: Command, io: Io): void {
  program
    .command('query')
    .description('run one read-only SELECT over the case (lake tables and correlation tables)')
    .argument('<case>', 'case folder')
    .argument('[sql]', 'the SELECT statement (or use -f FILE)')
    .option('-f, --file <file>', 'read the SQL from a file (- for standard input)')
    .option('--param <name=value>', 'bind $name to value, as VARCHAR (repeatable)', collect, [] as string[])
    .addOption(formatOption())
    .option('--out <file>', OUT_HELP)
    .option('--limit <n>', LIMIT_HELP, parseLimit)
    .option('--timeout <duration>', TIMEOUT_HELP, parseTimeout)
    .action(async (caseDir, sqlArg, o) => {
      if ((sqlArg === undefined) === (o.file === undefined)) throw new UsageError('give the SQL either as an argument or with -f FILE (one of them)');
      const sql = o.file !== undefined ? readSql(o.file) : sqlArg!;
      const label = o.file === '-' ? 'stdin' : o.file;
      const r = await withCtrlC((signal) => runOnCase(caseDir, { sql, params: parseParams(o.param), label }, delivery(o, io, signal), ioSink(io), (l) => io.err(`${termLine(l)}\n`)));
      if (r.note) io.err(`${termLine(r.note)}\n`);
    });
}
