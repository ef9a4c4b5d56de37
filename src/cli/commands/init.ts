import type { Command } from '@commander-js/extra-typings';
import { initCase } from '../../case/init-case.js';
import type { Io } from '../program.js';
import { collect } from '../options.js';

export function registerInit(program: Command, io: Io): void {
  program
    .command('init')
    .description('create a case folder with its case.yaml (window, scope, margin)')
    .argument('<case>', 'case folder to create')
    .requiredOption('--from <iso>', 'window start, ISO-8601 with zone (earliest suspected activity)')
    .requiredOption('--to <iso>', 'window end, ISO-8601 with zone (containment + 2h)')
    .option('--namespace <ns>', 'namespace in scope (repeatable; none = all)', collect, [] as string[])
    .option('--reason <text>', 'rationale for the window, kept in case.yaml and the bundle')
    .option('--margin <duration>', 'records within this margin outside the window still land (default 15m)')
    .option('--tolerance <duration>', 'clock tolerance for joins (default 5s)')
    .action((caseDir, o) => {
      const { config, file } = initCase(caseDir, {
        from: o.from,
        to: o.to,
        namespaces: o.namespace,
        reason: o.reason,
        margin: o.margin,
        tolerance: o.tolerance,
      });
      io.err(`created ${file}: window ${config.window.from} .. ${config.window.to}\n`);
    });
}
