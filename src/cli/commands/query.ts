import { readFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { collect } from '../options.js';
import { delivery, formatOption, LIMIT_HELP, OUT_HELP, parseLimit } from '../output-options.js';
import { UsageError } from '../../core/errors.js';
import { runOnCase } from '../../query/session.js';
import { parseParams } from '../../query/params.js';

export function registerQuery(program: Command, io: Io): void {
  program
    .command('query')
    .description('run one read-only SELECT over the case (lake tables and correlation tables)')
    .argument('<case>', 'case folder')
    .argument('[sql]', 'the SELECT statement (or use -f FILE)')
    .option('-f, --file <file>', 'read the SQL from a file')
    .option('--param <name=value>', 'bind $name to value, as VARCHAR (repeatable)', collect, [] as string[])
    .addOption(formatOption())
    .option('--out <file>', OUT_HELP)
    .option('--limit <n>', LIMIT_HELP, parseLimit)
    .action(async (caseDir, sqlArg, o) => {
      if ((sqlArg === undefined) === (o.file === undefined)) throw new UsageError('give the SQL either as an argument or with -f FILE (one of them)');
      const sql = o.file !== undefined ? readFileSync(o.file, 'utf8') : sqlArg!;
      const r = await runOnCase(caseDir, { sql, params: parseParams(o.param), label: o.file }, delivery(o, io));
      io.out(r.text);
      if (r.note) io.err(`${r.note}\n`);
    });
}
