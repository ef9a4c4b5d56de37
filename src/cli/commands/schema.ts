import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { describeCaseSchema } from '../../query/describe-schema.js';

export function registerSchema(program: Command, io: Io): void {
  program
    .command('schema')
    .description('print every table and view of the case with each column\'s type and meaning')
    .argument('<case>', 'case folder')
    .argument('[name]', 'one table or view')
    .action(async (caseDir, name) => {
      io.out(await describeCaseSchema(caseDir, name));
    });
}
