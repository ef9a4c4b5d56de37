#!/usr/bin/env node
import { createProgram } from './program.js';
import { CliError, ExitCode, InterruptedError } from '../core/errors.js';
import { termText } from '../output/terminal-text.js';

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
  if (e instanceof InterruptedError) {
    // cleaned up: now end as an interrupted process does (status 130 in the calling shell)
    process.stderr.write(`podtrail: ${e.message}\n`);
    process.removeAllListeners('SIGINT');
    process.kill(process.pid, 'SIGINT');
  } else if (e instanceof CliError) {
    // messages quote file names, SQL and evidence values: nothing reaches the terminal raw
    process.stderr.write(`podtrail: ${termText(e.message)}\n`);
    process.exitCode = e.exitCode;
  } else {
    process.stderr.write(`podtrail: internal error: ${termText(e instanceof Error ? (e.stack ?? e.message) : String(e))}\n`);
    process.exitCode = ExitCode.error;
  }
});
