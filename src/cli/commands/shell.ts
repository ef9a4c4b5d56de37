import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { CliError } from '../../core/errors.js';
import { defaultHistoryFile, runShell } from '../../shell/shell.js';

export function registerShell(program: Command, io: Io): void {
  program
    .command('shell')
    .description('interactive read-only SQL prompt over the case: history, multi-line statements, dot-commands (.help)')
    .argument('<case>', 'case folder')
    .action(async (caseDir) => {
      const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
      const code = await runShell(caseDir, {
        input: process.stdin,
        output: process.stdout,
        error: process.stderr,
        terminal,
        columns: io.columns,
        historyFile: terminal ? defaultHistoryFile() : null,
      });
      if (code !== 0) throw new CliError('a statement failed (see above)', 1);
    });
}
