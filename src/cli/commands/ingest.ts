import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';

export function registerIngest(program: Command, io: Io): void {
  void io;
  program.command('ingest').description('(in progress)');
}
