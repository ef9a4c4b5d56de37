import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { collect } from '../options.js';
import { delivery, formatOption, LIMIT_HELP, OUT_HELP, parseLimit } from '../output-options.js';
import { runOnCase } from '../../query/session.js';
import { parseParams } from '../../query/params.js';
import { huntListJson, renderHuntList } from '../../query/hunts.js';

export function registerHunts(program: Command, io: Io): void {
  program
    .command('hunts')
    .description('list the hunts of queries/: name, description and parameters')
    .option('--json', 'print the list as JSON')
    .action((o) => {
      io.out(o.json ? huntListJson() : renderHuntList());
    });

  program
    .command('hunt')
    .description('run a hunt of queries/ over the case, read-only, with its parameters bound')
    .argument('<case>', 'case folder')
    .argument('<name>', 'hunt name (podtrail hunts lists them)')
    .option('--param <name=value>', 'value of the hunt parameter $name (repeatable)', collect, [] as string[])
    .addOption(formatOption())
    .option('--out <file>', OUT_HELP)
    .option('--limit <n>', LIMIT_HELP, parseLimit)
    .action(async (caseDir, name, o) => {
      const r = await runOnCase(caseDir, { hunt: name, params: parseParams(o.param) }, delivery(o, io));
      io.out(r.text);
      if (r.note) io.err(`${r.note}\n`);
    });
}
