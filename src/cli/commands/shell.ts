import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { CliError } from '../../core/errors.js';
import { defaultHistoryFile, runShell } from '../../shell/shell.js';
import { withCtrlC } from '../interrupt.js';

export function registerShell(program: Command, io: Io): void {
  program
    .command('shell')
    .description('interactive read-only SQL prompt over the case: history, completion, multi-line statements, dot-commands (.help)')
    .argument('<case>', 'case folder')
    .action(async (caseDir) => {
      const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
      const code = await withCtrlC((signal) =>
        runShell(caseDir, {
          input: process.stdin,
          output: process.stdout,
          error: process.stderr,
          terminal,
          columns: io.columns,
          historyFile: terminal ? defaultHistoryFile() : null,
          signal,
        }),
      );
      if (code !== 0) throw new CliError('a statement failed (see above)', 1);
    });
}
