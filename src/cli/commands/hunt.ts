import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { collect } from '../options.js';
import { delivery, formatOption, ioSink, LIMIT_HELP, OUT_HELP, parseLimit, parseTimeout, TIMEOUT_HELP } from '../output-options.js';
import { withCtrlC } from '../interrupt.js';
import { runOnCase } from '../../query/session.js';
import { parseParams } from '../../query/params.js';
import { huntListJson, renderHuntList } from '../../query/hunts.js';
import { termLine } from '../../output/terminal-text.js';

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
    .option('--timeout <duration>', TIMEOUT_HELP, parseTimeout)
    .action(async (caseDir, name, o) => {
      const r = await withCtrlC((signal) => runOnCase(caseDir, { hunt: name, params: parseParams(o.param) }, delivery(o, io, signal), ioSink(io), (l) => io.err(`${termLine(l)}\n`)));
      if (r.note) io.err(`${termLine(r.note)}\n`);
    });
}
