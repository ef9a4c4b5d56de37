#!/usr/bin/env node
import { runCli } from './program.js';
import { InterruptedError } from '../core/errors.js';

// A reader that stops early (podtrail query ... | head) closes the pipe: stop quietly, as cat does.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (!(e instanceof InterruptedError)) throw e;
    // cleaned up: now end as an interrupted process does (status 130 in the calling shell)
    process.stderr.write(`podtrail: ${e.message}\n`);
    process.removeAllListeners('SIGINT');
    process.kill(process.pid, 'SIGINT');
  },
);
