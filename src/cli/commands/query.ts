import { readFileSync } from 'node:fs';
import { Option, type Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { collect } from '../options.js';
import { UsageError } from '../../core/errors.js';
import { queryCase } from '../../query/query-case.js';
import { formatRows, OUTPUT_FORMATS, type OutputFormat } from '../../output/format-rows.js';
import { parseParams } from '../../query/params.js';

export function registerQuery(program: Command, io: Io): void {
  program
    .command('query')
    .description('run one read-only SELECT over the case (lake tables and correlation views)')
    .argument('<case>', 'case folder')
    .argument('[sql]', 'the SELECT statement (or use -f FILE)')
    .option('-f, --file <file>', 'read the SQL from a file')
    .option('--param <name=value>', 'bind $name to value (repeatable)', collect, [] as string[])
    .addOption(new Option('--format <format>', 'output format (default: table on a terminal, ndjson otherwise)').choices(OUTPUT_FORMATS))
    .option('--limit <n>', 'return at most n rows', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--limit: "${v}" is not a non-negative integer`);
      return n;
    })
    .action(async (caseDir, sqlArg, o) => {
      if ((sqlArg === undefined) === (o.file === undefined)) throw new UsageError('give the SQL either as an argument or with -f FILE (one of them)');
      const sql = o.file !== undefined ? readFileSync(o.file, 'utf8') : sqlArg!;
      const result = await queryCase(caseDir, sql, parseParams(o.param), o.limit);
      const format: OutputFormat = o.format ?? (io.isTty ? 'table' : 'ndjson');
      io.out(formatRows(result, format, io.columns));
    });
}
