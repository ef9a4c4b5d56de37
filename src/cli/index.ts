#!/usr/bin/env node
import { createProgram } from './program.js';
import { CliError, ExitCode } from '../core/errors.js';

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
