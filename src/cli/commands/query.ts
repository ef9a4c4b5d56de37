import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';

export function registerQuery(program: Command, io: Io): void {
  void io;
  program.command('query').description('(in progress)');
}
