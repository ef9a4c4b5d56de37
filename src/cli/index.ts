#!/usr/bin/env node
import { createProgram } from './program.js';
import { CliError, ExitCode } from '../core/errors.js';

// A reader that stops early (podtrail query ... | head) closes the pipe: stop quietly, as cat does.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

async function main(): Promise<void> {
  const program = createProgram();
  await program.parseAsync(process.argv);
}

main().catch((e: unknown) => {
  if (e instanceof CliError) {
    process.stderr.write(`podtrail: ${e.message}\n`);
    process.exitCode = e.exitCode;
  } else {
    process.stderr.write(`podtrail: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = ExitCode.error;
  }
});
