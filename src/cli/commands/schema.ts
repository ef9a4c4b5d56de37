import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';

export function registerSchema(program: Command, io: Io): void {
  void io;
  program.command('schema').description('(in progress)');
}
